import { quoteStart, WriteError } from "@flowzone/engine";
import { FlowzoneError } from "@flowzone/errors";

/**
 * Refuses a request over one of the service's limits before the engine sees it: INVALID_ARGUMENT
 * with a field violation on `field` (reason `OVER_LIMIT`) and the count as the `value`.
 */
export function overLimit(field: string, count: number, limit: number): FlowzoneError {
  const description = `${field}: ${count} ${field} exceed the limit of ${limit}`;
  return new FlowzoneError("invalid_argument", description, {
    fieldViolations: [{ field, description, reason: "OVER_LIMIT" }],
    metadata: { value: String(count) },
  });
}

/** Refuses bytes that do not decode as a `messageType`: INVALID_ARGUMENT naming what the decoder found wrong. */
export function malformedMessage(messageType: string, cause: unknown): FlowzoneError {
  const found = cause instanceof Error ? cause.message : String(cause);
  return new FlowzoneError("invalid_argument", `malformed ${messageType}: ${found}`, {}, { cause });
}

/** Where a request sits in its call: a batch's `index`, a stream's `requestId`, neither for Check. */
export interface RequestScope {
  readonly index?: number;
  readonly requestId?: string;
}

/**
 * A request error as the client sees it, or undefined for anything else (an internal error, which
 * must not leak). The sentence names the field and the offending value and doubles as the field
 * violation's description. In a batch, the sentence and the field path start with the request's
 * place (`requests[3].`); in a stream, the sentence names the `request_id`, which the ErrorInfo
 * metadata also carries.
 */
export function requestErrorOf(error: unknown, scope: RequestScope): FlowzoneError | undefined {
  const refusal = error instanceof WriteError ? fromWriteError(error) : error instanceof FlowzoneError && error.code === "invalid_argument" ? error : undefined;
  if (refusal === undefined || (scope.index === undefined && scope.requestId === undefined)) return refusal;
  const fieldPrefix = scope.index === undefined ? "" : `requests[${scope.index}].`;
  const messagePrefix = scope.requestId === undefined ? fieldPrefix : `request_id "${quoteStart(scope.requestId)}": `;
  return new FlowzoneError(
    "invalid_argument",
    messagePrefix + refusal.message,
    {
      fieldViolations: (refusal.details.fieldViolations ?? []).map((violation) => ({ ...violation, field: fieldPrefix + violation.field })),
      metadata: { ...refusal.details.metadata, ...(scope.requestId === undefined ? {} : { requestId: quoteStart(scope.requestId) }) },
    },
    { cause: error },
  );
}

/** The engine's `WriteError`, its sentence always naming the field first and the value. */
function fromWriteError(error: WriteError): FlowzoneError {
  const text = error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`;
  // A count over its limit is in the sentence already; a value is quoted unless it is.
  const described = error.code === "over_limit" || error.value === "" || text.includes(`"${error.value}"`) ? text : `${text} (got "${error.value}")`;
  return new FlowzoneError(
    "invalid_argument",
    described,
    { fieldViolations: [{ field: error.field, description: described, reason: error.code.toUpperCase() }], metadata: { value: error.value } },
    { cause: error },
  );
}
