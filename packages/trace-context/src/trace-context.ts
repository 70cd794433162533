/** `traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>` (W3C Trace Context). */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const INVALID_TRACE_ID = "00000000000000000000000000000000";

/** The W3C header (gRPC metadata key and Kafka header name) that carries a producer's trace context. */
export const TRACEPARENT_HEADER = "traceparent";

/**
 * The trace id of a W3C `traceparent` value, or "" when there is none or it is malformed (an
 * all-zero id is invalid by the spec). Audit records carry it so a violation found by the decision
 * service or the enforcer can be followed back to the producer's trace. Accepts what a Kafka
 * header can hold (string, Buffer, or a repeated header, whose first value counts).
 */
export function traceIdOf(value: string | Buffer | readonly (string | Buffer)[] | undefined): string {
  const first = Array.isArray(value) ? (value as readonly (string | Buffer)[])[0] : (value as string | Buffer | undefined);
  if (first === undefined) return "";
  const text = typeof first === "string" ? first : first.toString("latin1");
  if (text.length > 64) return "";
  const match = TRACEPARENT.exec(text.trim().toLowerCase());
  const traceId = match?.[1];
  return traceId === undefined || traceId === INVALID_TRACE_ID ? "" : traceId;
}
