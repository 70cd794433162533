import { ControlError } from "@flowzone/control";
import type { ControlErrorCode } from "@flowzone/control";
import { ApiError } from "./api-error";
import type { ApiErrorCode } from "./api-error";
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

const API_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  invalid_argument: 400,
  malformed_json: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
};

const CONTROL_STATUS: Readonly<Record<ControlErrorCode, number>> = {
  invalid_argument: 400,
  invalid_policy: 400,
  not_found: 404,
  not_drained: 409,
  unavailable: 503,
};

/**
 * Maps anything a request handler threw to its response, in one place for the whole API:
 * transport refusals ({@link ApiError}) and control-plane failures ({@link ControlError}) keep
 * their code and sentence; anything else is a bug, answered 500 without details.
 */
export function httpErrorOf(error: unknown): HttpErrorResponse {
  if (error instanceof ApiError) {
    const headers: Record<string, string> = error.code === "unauthenticated" ? { "www-authenticate": 'Bearer realm="flowzone"' } : {};
    const body = { code: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) };
    return { status: API_STATUS[error.code], headers, body: { error: body }, internal: false };
  }
  if (error instanceof ControlError) {
    const { blockers, errors } = error.details;
    const body = {
      code: error.code,
      message: error.message,
      ...(blockers === undefined ? {} : { blockers: [...blockers] }),
      ...(errors === undefined ? {} : { errors: [...errors] }),
    };
    const headers: Record<string, string> = error.code === "unavailable" ? { "retry-after": "5" } : {};
    return { status: CONTROL_STATUS[error.code], headers, body: { error: body }, internal: false };
  }
  return { status: 500, headers: {}, body: { error: { code: "internal", message: INTERNAL_MESSAGE } }, internal: true };
}
