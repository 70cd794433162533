/**
 * Waiting for a condition, the one way every test waits: poll until it holds, and past the
 * deadline fail naming what was awaited and the last value seen, so a failure says why.
 * A fixed sleep before asserting that something did NOT happen proves nothing (it passes
 * whenever the thing is merely slow): wait for a positive signal with these instead.
 */
import { setTimeout as delay } from "node:timers/promises";

export interface PollOptions {
  /** How long to keep trying; 20 s unless given. */
  readonly timeoutMs?: number;
  /** The pause between tries; 100 ms unless given. */
  readonly intervalMs?: number;
}

/**
 * Polls `read` until `accept` holds for what it returned, and returns that value. A `read`
 * that throws counts as a miss; after the deadline the error names `what` and quotes the last
 * value (or error) seen.
 */
export async function waitUntil<T>(what: string, read: () => T | Promise<T>, accept: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let last = "nothing";
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      last = describe(value);
    } catch (error) {
      last = `an error: ${String(error)}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last}`);
    await delay(intervalMs);
  }
}

/** Polls `condition` until it is true; past the deadline fails naming `what`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, options: PollOptions = {}): Promise<void> {
  await waitUntil(what, condition, (holds) => holds, options);
}

function describe(value: unknown): string {
  // JSON.stringify gives undefined for undefined and functions, though its type says string.
  const text = (JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) as string | undefined) ?? String(value);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
