/**
 * The enforcer cannot start: a bad option, or a policy bundle with errors (each `file:line:
 * message`, all of them so the operator fixes them in one go). The CLI prints it and exits 1.
 */
export class EnforcerError extends Error {
  override readonly name = "EnforcerError";

  constructor(
    message: string,
    /** Every `file:line: message` behind it, when it comes from a file. */
    readonly errors: readonly string[] = [],
  ) {
    super(errors.length === 0 ? message : `${message}:\n${errors.join("\n")}`);
  }
}
