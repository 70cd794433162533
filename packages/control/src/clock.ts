/**
 * Time as the control plane reads it. Injected so tests can move through quiet periods, expiries
 * and readiness without sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
