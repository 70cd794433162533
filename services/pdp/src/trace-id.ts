import type { Metadata } from "@grpc/grpc-js";

/** `traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>` (W3C Trace Context). */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const INVALID_TRACE_ID = "00000000000000000000000000000000";

/**
 * The W3C trace id a caller sent in its `traceparent` metadata, or "" when it sent none or a
 * malformed one: audit records carry it so a violation can be followed back to its request.
 */
export function traceIdOf(metadata: Metadata): string {
  const value = metadata.get("traceparent")[0];
  if (typeof value !== "string") return "";
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  const traceId = match?.[1];
  return traceId === undefined || traceId === INVALID_TRACE_ID ? "" : traceId;
}
