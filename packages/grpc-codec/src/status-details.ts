/**
 * flowzone errors on the gRPC wire: the code as the status, the sentence as the status message,
 * and the details as a serialized `google.rpc.Status` in the `grpc-status-details-bin` trailer
 * (the richer error model every gRPC implementation reads): `ErrorInfo` with the flowzone code
 * and metadata, `BadRequest` with the field violations. Clients read the details instead of
 * parsing the message.
 */
import type * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import type { Any } from "@bufbuild/protobuf/wkt";
import { FlowzoneError, isFlowzoneErrorCode } from "@flowzone/errors";
import type { FieldViolation, FlowzoneErrorCode } from "@flowzone/errors";
import { BadRequestSchema, ErrorInfoSchema, StatusSchema } from "@flowzone/proto";
import { codeOfStatus, GRPC_STATUS } from "./status-codes";
import { statusError } from "./status-error";

/** The trailer that carries the serialized `google.rpc.Status`. */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** The `ErrorInfo.domain` of flowzone's errors; a reason from another domain is not a flowzone code. */
export const ERROR_DOMAIN = "flowzone";

/**
 * Turns anything a handler caught into the `ServiceError` grpc-js sends. A `FlowzoneError`
 * keeps its code, sentence and details; anything else, and any `internal` error, is answered
 * INTERNAL with `internalMessage` and nothing of the original, which the caller logs.
 */
export function toServiceError(error: unknown, internalMessage: string): grpc.ServiceError {
  const known = error instanceof FlowzoneError && error.code !== "internal" ? error : new FlowzoneError("internal", internalMessage);
  const status = GRPC_STATUS[known.code];
  const serviceError = statusError(status, known.message);
  const details: Any[] = [
    anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: known.code.toUpperCase(), domain: ERROR_DOMAIN, metadata: { ...known.details.metadata } })),
  ];
  const violations = known.details.fieldViolations ?? [];
  if (violations.length > 0) {
    const fieldViolations = violations.map(({ field, description, reason }) => ({ field, description, reason: reason ?? "" }));
    details.push(anyPack(BadRequestSchema, create(BadRequestSchema, { fieldViolations })));
  }
  const bytes = toBinary(StatusSchema, create(StatusSchema, { code: status, message: known.message, details }));
  serviceError.metadata.set(STATUS_DETAILS_KEY, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return serviceError;
}

/** What a client has of a failed call: a unary `ServiceError` or a stream's final status. */
export type FailedCall = Pick<grpc.StatusObject, "code" | "details" | "metadata">;

/**
 * Reads a failed call back as a `FlowzoneError` with the `ServiceError` as its `cause`: the code
 * from flowzone's `ErrorInfo` (else from the status), the field violations from `BadRequest` and
 * the metadata from `ErrorInfo`. Details that are malformed, or whose status disagrees with the
 * call's, are ignored: the status alone still says what kind of failure it was.
 */
export function fromServiceError(error: FailedCall): FlowzoneError {
  let code: FlowzoneErrorCode = codeOfStatus(error.code);
  let metadata: Record<string, string> | undefined;
  let fieldViolations: FieldViolation[] | undefined;
  for (const detail of statusDetailsOf(error)) {
    const info = anyUnpack(detail, ErrorInfoSchema);
    if (info !== undefined && info.domain === ERROR_DOMAIN) {
      const reason = info.reason.toLowerCase();
      if (isFlowzoneErrorCode(reason)) code = reason;
      metadata = { ...info.metadata };
    }
    const badRequest = anyUnpack(detail, BadRequestSchema);
    if (badRequest !== undefined) {
      fieldViolations = badRequest.fieldViolations.map(({ field, description, reason }) => ({ field, description, ...(reason === "" ? {} : { reason }) }));
    }
  }
  const details = { ...(fieldViolations === undefined ? {} : { fieldViolations }), ...(metadata === undefined ? {} : { metadata }) };
  return new FlowzoneError(code, error.details, details, { cause: error });
}

function statusDetailsOf(error: FailedCall): readonly Any[] {
  const [bytes] = error.metadata.get(STATUS_DETAILS_KEY);
  if (!Buffer.isBuffer(bytes)) return [];
  const callCode: number = error.code;
  try {
    const status = fromBinary(StatusSchema, bytes);
    return status.code === callCode ? status.details : [];
  } catch {
    return [];
  }
}
