import { WriteError } from "@flowzone/engine";

/**
 * A request the service refuses before deciding it (over a limit). Like the engine's
 * `WriteError` it names the field and the value, and maps to INVALID_ARGUMENT.
 */
export class RequestError extends Error {
  override readonly name = "RequestError";

  constructor(
    readonly field: string,
    readonly value: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * The client-facing text of a request error, `field: message`, always naming the offending value;
 * undefined for anything else (an internal error, which must not leak).
 */
export function describeRequestError(error: unknown): string | undefined {
  if (error instanceof RequestError) return error.message;
  if (!(error instanceof WriteError)) return undefined;
  const text = error.message.startsWith(error.field) ? error.message : `${error.field}: ${error.message}`;
  return error.value === "" || text.includes(`"${error.value}"`) ? text : `${text} (got "${error.value}")`;
}
