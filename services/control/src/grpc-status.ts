import type * as grpc from "@grpc/grpc-js";
import { ControlError } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import { toServiceError } from "@flowzone/grpc-kit";
import { INTERNAL_MESSAGE } from "./http-errors";

/**
 * Maps anything a ZoneService handler caught to a gRPC status, mirroring `httpErrorOf`, with
 * the `google.rpc` details in `grpc-status-details-bin` (ErrorInfo with the code, such as
 * `NOT_DRAINED`; BadRequest with the field at fault, or one violation of `files` per `file:line`
 * error of a bundle). Blockers and `file:line` errors also follow the sentence, one per line,
 * for clients that only show the message. `internal` marks a bug: the caller logs it; the client
 * sees no details.
 */
export function grpcStatusOf(error: unknown): { readonly status: grpc.ServiceError; readonly internal: boolean } {
  const known = error instanceof ControlError ? fromControlError(error) : error;
  const internal = !(known instanceof FlowzoneError) || known.code === "internal";
  return { status: toServiceError(known, INTERNAL_MESSAGE), internal };
}

function fromControlError(error: ControlError): FlowzoneError {
  const { blockers = [], errors = [] } = error.details;
  const items = [...blockers, ...errors];
  const message = items.length === 0 ? error.message : [`${error.message}:`, ...items.map((item) => `- ${item}`)].join("\n");
  const details = errors.length === 0 ? {} : { fieldViolations: errors.map((description) => ({ field: "files", description })) };
  return new FlowzoneError(error.code, message, details, { cause: error });
}
