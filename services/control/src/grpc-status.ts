import * as grpc from "@grpc/grpc-js";
import { ControlError } from "@flowzone/control";
import type { ControlErrorCode } from "@flowzone/control";
import { statusError } from "@flowzone/grpc-kit";
import { ApiError } from "./api-error";
import type { ApiErrorCode } from "./api-error";
import { INTERNAL_MESSAGE } from "./http-errors";

const API_CODES: Readonly<Record<ApiErrorCode, grpc.status>> = {
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  malformed_json: grpc.status.INVALID_ARGUMENT,
  payload_too_large: grpc.status.RESOURCE_EXHAUSTED,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  permission_denied: grpc.status.PERMISSION_DENIED,
  not_found: grpc.status.NOT_FOUND,
  method_not_allowed: grpc.status.UNIMPLEMENTED,
};

const CONTROL_CODES: Readonly<Record<ControlErrorCode, grpc.status>> = {
  not_found: grpc.status.NOT_FOUND,
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  invalid_policy: grpc.status.INVALID_ARGUMENT,
  not_drained: grpc.status.FAILED_PRECONDITION,
  unavailable: grpc.status.UNAVAILABLE,
};

/**
 * Maps anything a ZoneService handler caught to a gRPC status, mirroring `httpErrorOf`. gRPC
 * has no structured error body here, so blockers and `file:line` errors follow the sentence,
 * one per line. `internal` marks a bug: the caller logs it; the client sees no details.
 */
export function grpcStatusOf(error: unknown): { readonly status: grpc.ServiceError; readonly internal: boolean } {
  if (error instanceof ApiError) return { status: statusError(API_CODES[error.code], error.message), internal: false };
  if (error instanceof ControlError) {
    const items = [...(error.details.blockers ?? []), ...(error.details.errors ?? [])];
    const message = items.length === 0 ? error.message : [`${error.message}:`, ...items.map((item) => `- ${item}`)].join("\n");
    return { status: statusError(CONTROL_CODES[error.code], message), internal: false };
  }
  return { status: statusError(grpc.status.INTERNAL, INTERNAL_MESSAGE), internal: true };
}
