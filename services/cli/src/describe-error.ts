/** A caught value's message, without a stack: what the CLI prints for an unexpected error. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
