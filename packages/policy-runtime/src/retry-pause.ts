/**
 * The pause between two attempts to reach the control topic while Kafka is unreachable. Each
 * attempt already spends kafkajs' own connection retries (several seconds against a dead
 * broker), so the pause stays short; its jitter keeps many replicas from reconnecting in step.
 */
export const RETRY_INITIAL_MS = 500;
export const RETRY_MAX_MS = 10_000;
export const RETRY_MULTIPLIER = 2;
/** ±20 % of each pause is random. */
export const RETRY_JITTER = 0.2;

/** The pause after failed attempt number `attempt` (1-based). */
export function retryPauseMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * RETRY_MULTIPLIER ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}
