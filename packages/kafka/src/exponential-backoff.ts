/**
 * How a loop that keeps trying to reach Kafka (or the store it publishes from) waits between
 * attempts: the delay grows by `multiplier` from `initialMs` to at most `maxMs`, and a random share
 * of it (`jitter`) keeps many replicas that failed together from retrying in step against a
 * recovering broker (as kafkajs' `src/retry` and grpc-js' `backoff-timeout.ts` do). Each caller
 * names its own pace; {@link backoffDelayMs} is the one formula.
 */
export interface ExponentialBackoff {
  /** The delay around the first retry. */
  readonly initialMs: number;
  /** The cap, before jitter. */
  readonly maxMs: number;
  /** How much each further retry's delay grows (2: doubling). */
  readonly multiplier: number;
  /** The random share of each delay, either way: 0.2 is ±20 %. */
  readonly jitter: number;
}

/** The delay before retry number `attempt` (1-based); `random` (in [0, 1)) is for tests. */
export function backoffDelayMs(backoff: ExponentialBackoff, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - backoff.jitter + 2 * backoff.jitter * random()));
}
