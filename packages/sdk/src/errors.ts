import type { FlowViolation } from "./types";

/** Why a guarded send did not write: a closed set, so callers can switch on it. */
export type FlowErrorCode = "denied" | "check_unavailable" | "invalid_request" | "not_permitted";

/**
 * The one error family of the SDK. Every subclass carries a closed `code` and, where something
 * else failed first, its `cause`. Whatever the code, nothing was written.
 */
export class FlowError extends Error {
  override readonly name: string = "FlowError";

  constructor(
    readonly code: FlowErrorCode,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The write was denied: at least one violation is enforced. `violations` lists every violation,
 * enforced or not, each with the reason a producer's engineer can act on.
 */
export class FlowDeniedError extends FlowError {
  override readonly name = "FlowDeniedError";

  constructor(
    readonly sink: string,
    readonly decisionId: string,
    readonly policyVersion: string,
    readonly violations: readonly FlowViolation[],
  ) {
    const enforced = violations.filter((v) => v.enforced);
    const first = enforced[0];
    super(
      "denied",
      `flowzone denied the write to ${sink}: ${enforced.map((v) => `${v.zone}/${v.rule}`).join(", ")}${first === undefined ? "" : ` (${first.reason})`}`,
    );
  }
}

/**
 * The write could not be checked (decision service unreachable or past its deadline, or the
 * audit trail refusing a record) and the fail posture is closed: nothing was written.
 */
export class FlowCheckUnavailableError extends FlowError {
  override readonly name = "FlowCheckUnavailableError";

  constructor(message: string, cause?: unknown) {
    super("check_unavailable", message, cause === undefined ? undefined : { cause });
  }
}

/**
 * The write cannot be decided at all (gRPC INVALID_ARGUMENT, or the engine's WriteError): an
 * undeclared label, an unknown source, a malformed asset id. `field` and `value` name it.
 */
export class FlowRequestError extends FlowError {
  override readonly name = "FlowRequestError";

  constructor(
    readonly field: string,
    readonly value: string,
    message: string,
    cause?: unknown,
  ) {
    super("invalid_request", message, cause === undefined ? undefined : { cause });
  }
}

/**
 * The decision service refused the caller: it could not authenticate it (gRPC UNAUTHENTICATED: no
 * client certificate or bearer token it accepts, see `decider.bearerToken`), or the authenticated
 * caller may not speak for the write's producer (PERMISSION_DENIED). Nothing was written, whatever
 * the fail posture: a refusal is an answer, not an outage. `identity` and `producer` name both
 * sides of a PERMISSION_DENIED (empty for UNAUTHENTICATED).
 */
export class FlowNotPermittedError extends FlowError {
  override readonly name = "FlowNotPermittedError";

  constructor(
    readonly identity: string,
    readonly producer: string,
    message: string,
    cause?: unknown,
  ) {
    super("not_permitted", message, cause === undefined ? undefined : { cause });
  }
}
