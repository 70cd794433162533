import type * as grpc from "@grpc/grpc-js";
import { ControlError, flowsSeenInGuardWindow } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import { toServiceError } from "@flowzone/grpc-kit";
import { INTERNAL_MESSAGE } from "./http-errors";

/**
 * Maps anything a ZoneService handler caught to a gRPC status, mirroring `httpErrorOf`, with
 * the `google.rpc` details in `grpc-status-details-bin` (ErrorInfo with the code, such as
 * `NOT_DRAINED`; BadRequest with the field at fault, or one violation of `files` per `file:line`
 * error of a bundle; for a refused flip, the flip guard's `flowsNewlyDenied` in ErrorInfo's
 * metadata). Blockers, `file:line` errors and that count also follow the sentence, one per
 * line, for clients that only show the message. `internal` marks a bug: the caller logs it; the client
 * sees no details.
 */
export function grpcStatusOf(error: unknown): { readonly status: grpc.ServiceError; readonly internal: boolean } {
  const known = error instanceof ControlError ? fromControlError(error) : error;
  const internal = !(known instanceof FlowzoneError) || known.code === "internal";
  return { status: toServiceError(known, INTERNAL_MESSAGE), internal };
}

function fromControlError(error: ControlError): FlowzoneError {
  const { blockers = [], errors = [], flowsNewlyDenied } = error.details;
  const items = [...blockers, ...errors];
  const lines = items.length === 0 ? [error.message] : [`${error.message}:`, ...items.map((item) => `- ${item}`)];
  if (flowsNewlyDenied !== undefined) lines.push(`In enforcement the zone would newly deny ${flowsSeenInGuardWindow(flowsNewlyDenied)}.`);
  const details = {
    ...(errors.length === 0 ? {} : { fieldViolations: errors.map((description) => ({ field: "files", description })) }),
    ...(flowsNewlyDenied === undefined ? {} : { metadata: { flowsNewlyDenied: String(flowsNewlyDenied) } }),
  };
  return new FlowzoneError(error.code, lines.join("\n"), details, { cause: error });
}

