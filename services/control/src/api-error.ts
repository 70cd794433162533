/**
 * Why a request is refused before it reaches the control plane: the transport's own reasons
 * (auth, malformed input, size, routing). The control plane's reasons are `ControlError`s; the
 * HTTP and gRPC error mappers handle both, so each reason gets one status in one place.
 */
export type ApiErrorCode =
  | "invalid_argument"
  | "malformed_json"
  | "payload_too_large"
  | "unauthenticated"
  | "permission_denied"
  | "not_found"
  | "method_not_allowed";

export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** The request field at fault (`to`, `expiresAt`, `limit`), so clients can point at it. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A missing or invalid field: 400 over HTTP, INVALID_ARGUMENT over gRPC. */
export function invalidField(field: string, message: string): ApiError {
  return new ApiError("invalid_argument", message, field);
}
