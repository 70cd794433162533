/**
 * A token file that cannot be used, with every problem as `file:line: message`; the service
 * refuses to start rather than run with a partly understood list of who may change what.
 */
export class TokenFileError extends Error {
  override readonly name = "TokenFileError";

  constructor(
    readonly file: string,
    /** Each `file:line: message` (line 0 when the file itself is at fault). */
    readonly errors: readonly string[],
  ) {
    super(`invalid token file ${file} (${errors.length} ${errors.length === 1 ? "error" : "errors"}):\n${errors.join("\n")}`);
  }
}
