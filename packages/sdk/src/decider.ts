import type { FailMode, Write } from "@flowzone/engine";

import type { FlowViolation } from "./types";

/** A decision as a decider returns it, before caching and headers. */
export interface DeciderResult {
  readonly allow: boolean;
  readonly decisionId: string;
  readonly policyVersion: string;
  readonly violations: readonly FlowViolation[];
  /** The write's labels and its sources' labels, where the decider knows them. */
  readonly labels: readonly string[];
}

/**
 * One decision per write, or an error. A decider throws `FlowRequestError` for a write that
 * cannot be decided, and `DeciderUnavailable` when flowzone itself failed (the producer then
 * applies the fail posture to those writes, see below).
 */
export interface Decider {
  readonly mode: "remote" | "embedded";
  /**
   * Decides writes together: one call to the decision service for all of them. `traceparent`
   * ("" for none) is the producer's W3C trace context, carried into the audit records.
   */
  decide(writes: readonly Write[], traceparent: string): Promise<readonly DeciderResult[]>;
  /**
   * A write answered from the producer's decision cache, never asked of `decide`: the embedded
   * decider counts its flow as decided (flow reports); a remote one has nothing to count.
   */
  answeredFromCache?(write: Write): void;
  /** Subscribes to policy changes the decider learns of by itself (embedded: engine swaps). */
  onPolicyChange(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * flowzone could not decide. `posture` is the fail mode of the zones the writes touch, when the
 * decider knows it (embedded: the engine's; remote: the one the control topic tells), undefined
 * when it does not. The producer fails closed when it is `closed` or its own `failMode` is.
 */
export class DeciderUnavailable extends Error {
  override readonly name = "DeciderUnavailable";

  constructor(
    message: string,
    readonly posture: FailMode | undefined,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}
