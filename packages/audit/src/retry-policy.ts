import type { ExponentialBackoff } from "@flowzone/kafka";

/**
 * How the audit writer retries Kafka. kafkajs retries a send a few times itself; on top of that
 * the writer backs off exponentially with jitter (so many decision services do not hammer a
 * recovering broker in step) and keeps the failed batch, unchanged, at the head of the line.
 */
export const AUDIT_BACKOFF: ExponentialBackoff = { initialMs: 100, maxMs: 5_000, multiplier: 2, jitter: 0.2 };
/**
 * A non-retriable error (authorisation, a record the broker refuses, a misconfigured topic) is not
 * retried at the backoff's pace: records stay spooled and the writer probes again this rarely,
 * because dropping them would break the audit trail and an operator can fix the cause live.
 */
export const NON_RETRIABLE_PROBE_MS = 60_000;
/** kafkajs' own retries inside one send: few, so that a dead broker is noticed and spooled for quickly. */
export const PRODUCER_RETRIES = 2;
export const PRODUCER_INITIAL_RETRY_MS = 100;
export const PRODUCER_MAX_RETRY_MS = 1_000;

/**
 * Whether an error from kafkajs is worth retrying: kafkajs marks its errors `retriable`, and wraps
 * a retriable cause in a non-retriable "number of retries exceeded" once its own retries run out.
 * Anything else (a bug, an unknown error) is not retriable.
 */
export function isRetriable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 5; depth += 1) {
    const { name, retriable, cause } = e as { name?: unknown; retriable?: unknown; cause?: unknown };
    if (retriable === true) return true;
    if (name !== "KafkaJSNumberOfRetriesExceeded" && name !== "KafkaJSNonRetriableError") return false;
    e = cause;
  }
  return false;
}
