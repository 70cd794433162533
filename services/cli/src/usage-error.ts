import { FlowzoneError } from "@flowzone/errors";

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

  /**
   * Runs `read` (a command reading its settings) and turns a bad setting (`invalid_config`,
   * naming the flag or variable) into a usage error of `command`: exit 2 with a pointer to its help.
   */
  static fromConfig<T>(command: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof FlowzoneError && error.code === "invalid_config") throw new UsageError(error.message, command);
      throw error;
    }
  }
}
