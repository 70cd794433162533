/**
 * The lock that makes one control-plane replica the leader of a store: held by this process's
 * database session for as long as that session lives, so a replica that dies (or whose
 * connection dies) gives it up without anyone's help.
 */
export interface LeaderLock {
  /** Takes the lock when it is free; true when this process holds it (already, or now). */
  tryAcquire(): Promise<boolean>;
  /** Whether this process still holds it: false once the session that held it is gone. */
  stillHeld(): Promise<boolean>;
  /** Gives it up (ends the session that holds it); a later {@link tryAcquire} opens a new one. */
  release(): Promise<void>;
}

/**
 * The lock of a store only this process can open (PGlite is embedded, one process): always held,
 * so that process always leads.
 */
export const soleLeaderLock: LeaderLock = {
  tryAcquire: () => Promise.resolve(true),
  stillHeld: () => Promise.resolve(true),
  release: () => Promise.resolve(),
};
