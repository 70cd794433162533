import type * as grpc from "@grpc/grpc-js";
import { toServiceError } from "@flowzone/grpc-kit";
import type { Logger } from "@flowzone/logging";
import { requestErrorOf } from "./request-error";
import type { RequestScope } from "./request-error";

const INTERNAL_MESSAGE = "internal error in the decision service; it has been logged";

/**
 * Maps anything a handler caught to a gRPC status: request errors become INVALID_ARGUMENT naming
 * the field and value, in the sentence and as a `google.rpc.BadRequest` field violation (placed
 * by `scope` in a batch or stream); anything else is a bug, logged here and answered INTERNAL
 * without leaking details.
 */
export function toStatus(error: unknown, scope: RequestScope, logger: Logger, method: string): grpc.ServiceError {
  const refusal = requestErrorOf(error, scope);
  if (refusal === undefined) logger.error({ err: error, method }, "unexpected error deciding a request");
  return toServiceError(refusal ?? error, INTERNAL_MESSAGE);
}
