import { FlowzoneError } from "@flowzone/errors";

/**
 * A missing or invalid request field: 400 with `error.field` over HTTP, INVALID_ARGUMENT with a
 * `google.rpc.BadRequest` field violation over gRPC, so clients can point at the field.
 */
export function invalidField(field: string, message: string): FlowzoneError {
  return new FlowzoneError("invalid_argument", message, { fieldViolations: [{ field, description: message }] });
}
