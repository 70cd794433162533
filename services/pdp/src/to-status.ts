import * as grpc from "@grpc/grpc-js";
import { statusError } from "@flowzone/grpc-kit";
import type { Logger } from "@flowzone/logging";
import { describeRequestError } from "./request-error";

const INTERNAL_MESSAGE = "internal error in the decision service; it has been logged";

/**
 * Maps anything a handler caught to a gRPC status: request errors become INVALID_ARGUMENT with
 * `prefix` (which request of a batch or stream) before the field and value; anything else is a
 * bug, logged here and answered INTERNAL without leaking details.
 */
export function toStatus(error: unknown, prefix: string, logger: Logger, method: string): grpc.ServiceError {
  const described = describeRequestError(error);
  if (described !== undefined) return statusError(grpc.status.INVALID_ARGUMENT, prefix + described);
  logger.error({ err: error, method }, "unexpected error deciding a request");
  return statusError(grpc.status.INTERNAL, INTERNAL_MESSAGE);
}
