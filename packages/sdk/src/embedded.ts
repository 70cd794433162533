// Public surface of @flowzone/sdk/embedded: the engine in process, behind its own entry point so
// that `@flowzone/sdk` (remote decisions) never loads the engine, the policy runtime or the
// audit writer. Named exports only.
import type { EmbeddedDecider } from "./options";
import { EmbeddedDecisionEngine } from "./embedded-decider";
import { resolveEmbeddedOptions, type EmbeddedDeciderOptions } from "./embedded-options";

/** An embedded decider with its options resolved (every default filled in). */
export interface ResolvedEmbeddedDecider extends EmbeddedDecider {
  readonly options: Required<EmbeddedDeciderOptions>;
}

/**
 * The `decider` of a guarded producer that decides in process with the same engine as the
 * decision service, following the bundle directory and the control topic, and writing its own
 * audit records (enforcement point `sdk`). Options are checked here, before `connect()`:
 *
 * ```ts
 * createGuardedProducer({ kafka, decider: embeddedDecider({ policyDir, auditSpoolDir }) });
 * ```
 */
export function embeddedDecider(options: EmbeddedDeciderOptions): ResolvedEmbeddedDecider {
  const resolved = resolveEmbeddedOptions(options);
  return {
    mode: "embedded",
    options: resolved,
    start: (kafka, logger) => EmbeddedDecisionEngine.start(resolved, kafka, logger),
  };
}

export type { EmbeddedDeciderOptions } from "./embedded-options";
