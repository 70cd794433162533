import * as grpc from "@grpc/grpc-js";

/**
 * A grpc-js `ServiceError` with a status code and a message the client sees as `details`.
 * Handlers pass it to a unary callback or emit it on a stream; grpc-js reads `code` and
 * `details` from it, so one shape serves both.
 */
export function statusError(code: grpc.status, message: string): grpc.ServiceError {
  const error = new Error(message) as grpc.ServiceError;
  error.code = code;
  error.details = message;
  error.metadata = new grpc.Metadata();
  return error;
}
