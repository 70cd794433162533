/**
 * A mistake in how the command was called: exit code 2, with a hint to the help text of the
 * command that was being parsed.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";

  /**
   * @param message one readable sentence about what is wrong.
   * @param command the command words whose `--help` explains the right usage, e.g. `policy check`.
   */
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}
