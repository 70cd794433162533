import type { FlowzoneErrorCode } from "./error-code";

/**
 * One request field at fault, shaped like `google.rpc.BadRequest.FieldViolation` so it crosses
 * gRPC unchanged and clients never parse the message to learn which field it was.
 */
export interface FieldViolation {
  /** A path to the field in the request: `sink`, `labels[1]`, `requests[3].labels[0]`. */
  readonly field: string;
  /** One sentence saying what is wrong with it. */
  readonly description: string;
  /** The proximate cause in UPPER_SNAKE_CASE (`UNKNOWN_LABEL`), when there is a closed set of them. */
  readonly reason?: string;
}

/** What a client may act on besides the code and the sentence. */
export interface FlowzoneErrorDetails {
  /** The request fields at fault (`google.rpc.BadRequest` on gRPC). */
  readonly fieldViolations?: readonly FieldViolation[];
  /** Facts as strings, such as the offending `value` (`google.rpc.ErrorInfo` metadata on gRPC). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * flowzone's one error type: a closed {@link FlowzoneErrorCode}, one readable sentence, the
 * details a client needs to act without parsing that sentence, and the `cause` that was caught
 * first. Transports map the code in one place each; nothing else decides a status.
 */
export class FlowzoneError extends Error {
  override readonly name = "FlowzoneError";

  constructor(
    readonly code: FlowzoneErrorCode,
    message: string,
    readonly details: FlowzoneErrorDetails = {},
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * Normalises anything caught: a `FlowzoneError` is returned as it is; anything else is an
   * `internal` error that keeps what was thrown as its `cause`, so a handler can map every
   * failure through one door and still log the original.
   */
  static from(error: unknown): FlowzoneError {
    if (error instanceof FlowzoneError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new FlowzoneError("internal", message, {}, { cause: error });
  }
}
