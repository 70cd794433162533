/** The closed set of reasons a control-plane operation fails; transports map them to statuses. */
export type ControlErrorCode = "not_found" | "invalid_argument" | "invalid_policy" | "not_drained" | "payload_too_large" | "unavailable";

export interface ControlErrorDetails {
  /** `not_drained`: each blocker a sentence with its number. */
  readonly blockers?: readonly string[];
  /** `invalid_policy`: every `file:line: message`. */
  readonly errors?: readonly string[];
  /** `not_drained`: inventoried flows the refused flip to enforcement would newly deny (the flip guard's count). */
  readonly flowsNewlyDenied?: number;
}

/** A control-plane failure with a closed code and one readable sentence. */
export class ControlError extends Error {
  override readonly name = "ControlError";

  constructor(
    readonly code: ControlErrorCode,
    message: string,
    readonly details: ControlErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
