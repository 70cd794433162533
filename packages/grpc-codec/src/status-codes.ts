import * as grpc from "@grpc/grpc-js";
import type { FlowzoneErrorCode } from "@flowzone/errors";

/** The gRPC status of each flowzone error code: one table for every flowzone server. */
export const GRPC_STATUS: Readonly<Record<FlowzoneErrorCode, grpc.status>> = {
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  invalid_config: grpc.status.INVALID_ARGUMENT,
  invalid_policy: grpc.status.INVALID_ARGUMENT,
  malformed_json: grpc.status.INVALID_ARGUMENT,
  payload_too_large: grpc.status.RESOURCE_EXHAUSTED,
  unsupported_media_type: grpc.status.INVALID_ARGUMENT,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  permission_denied: grpc.status.PERMISSION_DENIED,
  not_found: grpc.status.NOT_FOUND,
  method_not_allowed: grpc.status.UNIMPLEMENTED,
  failed_precondition: grpc.status.FAILED_PRECONDITION,
  not_drained: grpc.status.FAILED_PRECONDITION,
  unavailable: grpc.status.UNAVAILABLE,
  deadline_exceeded: grpc.status.DEADLINE_EXCEEDED,
  internal: grpc.status.INTERNAL,
};

/** The generic code for each status, for an error that came without flowzone's `ErrorInfo`. */
const CODE_OF_STATUS: ReadonlyMap<grpc.status, FlowzoneErrorCode> = new Map([
  [grpc.status.INVALID_ARGUMENT, "invalid_argument"],
  [grpc.status.RESOURCE_EXHAUSTED, "payload_too_large"],
  [grpc.status.UNAUTHENTICATED, "unauthenticated"],
  [grpc.status.PERMISSION_DENIED, "permission_denied"],
  [grpc.status.NOT_FOUND, "not_found"],
  [grpc.status.UNIMPLEMENTED, "method_not_allowed"],
  [grpc.status.FAILED_PRECONDITION, "failed_precondition"],
  [grpc.status.UNAVAILABLE, "unavailable"],
  [grpc.status.DEADLINE_EXCEEDED, "deadline_exceeded"],
]);

/**
 * The flowzone code a bare gRPC status stands for (grpc-js' own errors, a server without status
 * details); `internal` for the statuses flowzone never sends on purpose (UNKNOWN, DATA_LOSS, ...).
 */
export function codeOfStatus(status: grpc.status): FlowzoneErrorCode {
  return CODE_OF_STATUS.get(status) ?? "internal";
}
