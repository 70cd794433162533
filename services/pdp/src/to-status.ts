import type * as grpc from "@grpc/grpc-js";
import { FlowzoneError } from "@flowzone/errors";
import { toServiceError } from "@flowzone/grpc-kit";
import type { Logger } from "@flowzone/logging";
import { requestErrorOf } from "./request-error";
import type { RequestScope } from "./request-error";

const INTERNAL_MESSAGE = "internal error in the decision service; it has been logged";

/**
 * Maps anything a handler caught to a gRPC status: request errors become INVALID_ARGUMENT naming
 * the field and value, in the sentence and as a `google.rpc.BadRequest` field violation (placed
 * by `scope` in a batch or stream); a caller refused (UNAUTHENTICATED, PERMISSION_DENIED) keeps
 * its code and sentence; anything else is a bug, logged here and answered INTERNAL without
 * leaking details.
 */
export function toStatus(error: unknown, scope: RequestScope, logger: Logger, method: string): grpc.ServiceError {
  if (error instanceof FlowzoneError && (error.code === "unauthenticated" || error.code === "permission_denied")) return toServiceError(error, INTERNAL_MESSAGE);
  const refusal = requestErrorOf(error, scope);
  if (refusal === undefined) logger.error({ err: error, method }, "unexpected error deciding a request");
  return toServiceError(refusal ?? error, INTERNAL_MESSAGE);
}
