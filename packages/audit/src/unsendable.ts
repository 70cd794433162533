/**
 * Errors that no retry can cure for the records that caused them: Kafka refuses the record
 * itself (too large for the topic, or invalid), not the moment. Retrying such a batch would
 * keep it at the head of the trail forever and every later record behind it.
 */
const UNSENDABLE_TYPES = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "INVALID_RECORD"]);

/** True when `error` (or an error it wraps) is Kafka refusing the records themselves. */
export function isUnsendable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 5; depth += 1) {
    const { type, cause } = e as { type?: unknown; cause?: unknown };
    if (typeof type === "string" && UNSENDABLE_TYPES.has(type)) return true;
    e = cause;
  }
  return false;
}
