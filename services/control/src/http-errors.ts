import { ControlError } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import type { FlowzoneErrorCode } from "@flowzone/errors";
import type { ErrorJson } from "./wire-json";

/** What the client sees for a bug; the cause goes to the log, never onto the wire. */
export const INTERNAL_MESSAGE = "internal error in the control plane; it has been logged";

/** An error response: status, extra headers and the `{"error": {...}}` body. */
export interface HttpErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorJson;
  /** True for a bug (500): the caller logs the cause. */
  readonly internal: boolean;
}

/** The HTTP status of each code; `error.code` in the body is the code itself. */
const HTTP_STATUS: Readonly<Record<FlowzoneErrorCode, number>> = {
  invalid_argument: 400,
  invalid_policy: 400,
  malformed_json: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  failed_precondition: 409,
  not_drained: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_config: 500,
  internal: 500,
  unavailable: 503,
  deadline_exceeded: 504,
};

const HEADERS: Partial<Readonly<Record<FlowzoneErrorCode, Readonly<Record<string, string>>>>> = {
  unauthenticated: { "www-authenticate": 'Bearer realm="flowzone"' },
  unavailable: { "retry-after": "5" },
};

/**
 * Maps anything a request handler threw to its response, in one place for the whole API:
 * a {@link FlowzoneError} (transport refusals) or a {@link ControlError} (control-plane failures,
 * with their blockers or `file:line` errors) keeps its code and sentence, and a single field
 * violation becomes `error.field`; anything else, or an internal error, is a bug, answered 500
 * without details.
 */
export function httpErrorOf(error: unknown): HttpErrorResponse {
  if (error instanceof ControlError) {
    const { blockers, errors, flowsNewlyDenied } = error.details;
    const body = {
      code: error.code,
      message: error.message,
      ...(blockers === undefined ? {} : { blockers: [...blockers] }),
      ...(errors === undefined ? {} : { errors: [...errors] }),
      ...(flowsNewlyDenied === undefined ? {} : { flowsNewlyDenied }),
    };
    return { status: HTTP_STATUS[error.code], headers: HEADERS[error.code] ?? {}, body: { error: body }, internal: false };
  }
  if (error instanceof FlowzoneError && error.code !== "internal") {
    const [violation, ...more] = error.details.fieldViolations ?? [];
    const field = violation !== undefined && more.length === 0 ? { field: violation.field } : {};
    return { status: HTTP_STATUS[error.code], headers: HEADERS[error.code] ?? {}, body: { error: { code: error.code, message: error.message, ...field } }, internal: false };
  }
  return { status: 500, headers: {}, body: { error: { code: "internal", message: INTERNAL_MESSAGE } }, internal: true };
}
