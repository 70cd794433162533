/**
 * The bundle could not be loaded at start. Carries every `file:line: message` so the operator
 * fixes them all in one go; the service does not start without a policy.
 */
export class PolicyLoadError extends Error {
  override readonly name = "PolicyLoadError";

  constructor(
    readonly policyDir: string,
    readonly errors: readonly string[],
  ) {
    const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
    super(`policy bundle in "${policyDir}" has ${count}:\n${errors.join("\n")}`);
  }
}
