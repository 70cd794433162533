/**
 * Every reason flowzone refuses or fails, closed so that each transport maps each code once
 * (gRPC status in packages/grpc-kit, HTTP status in the control plane) and clients can switch on
 * it. The snake_case spelling is what the HTTP API sends as `error.code` and, upper-cased, what
 * gRPC sends as the `google.rpc.ErrorInfo` reason.
 */
export const FLOWZONE_ERROR_CODES = [
  /** A request field is missing or wrong; field violations name it. */
  "invalid_argument",
  /** A setting (flag, environment variable, option) is wrong; the service does not start. */
  "invalid_config",
  /** A policy bundle does not load; field violations carry each `file:line: message`. */
  "invalid_policy",
  /** A request body is not JSON. */
  "malformed_json",
  /** A request or message is larger than allowed. */
  "payload_too_large",
  /** A request body of a media type the endpoint does not take (HTTP changes take only JSON). */
  "unsupported_media_type",
  /** No credentials, or credentials that are not valid. */
  "unauthenticated",
  /** Valid credentials that may not do this. */
  "permission_denied",
  /** The zone, violation, exception or route does not exist. */
  "not_found",
  /** The resource exists but does not take this method. */
  "method_not_allowed",
  /** The system is not in a state that allows the operation. */
  "failed_precondition",
  /** A flip to enforcement refused because the zone's backlog is not drained. */
  "not_drained",
  /** A dependency (Kafka, PostgreSQL, the decision service) cannot be reached now; retry later. */
  "unavailable",
  /** The operation did not finish within its deadline. */
  "deadline_exceeded",
  /** A bug; its cause is logged, never sent. */
  "internal",
] as const;

/** One of {@link FLOWZONE_ERROR_CODES}. */
export type FlowzoneErrorCode = (typeof FLOWZONE_ERROR_CODES)[number];

const CODES: ReadonlySet<string> = new Set(FLOWZONE_ERROR_CODES);

/** Whether `value` is a code, for readers of untrusted input (a status detail from the wire). */
export function isFlowzoneErrorCode(value: string): value is FlowzoneErrorCode {
  return CODES.has(value);
}
