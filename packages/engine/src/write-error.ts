import type { WriteErrorCode } from "./types";

/**
 * Why a write cannot be decided at all. Services map it to gRPC `INVALID_ARGUMENT`; the closed
 * `code` and the offending `field` and `value` let them do so without parsing the message.
 */
export class WriteError extends Error {
  override readonly name = "WriteError";

  constructor(
    readonly code: WriteErrorCode,
    /** The write's field, e.g. `sink` or `labels[2]`. */
    readonly field: string,
    /** The offending value as the caller sent it. */
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}
