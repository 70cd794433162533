import { PolicyEngine, WriteError, type Bundle, type Mode, type ZoneException } from "@flowzone/engine";

import type { SignatureKey } from "./signature";

/** What a policy says about a signature's flow today. */
export type Verdict = "violated" | "clear" | "undecidable";

/**
 * An engine that judges signatures by policy alone: the master switch on and every zone in
 * logging, so a zone that is off, or a kill switch pulled in an emergency, never counts as
 * remediation. Rule modes stay as written: a rule the policy turns off is a policy change.
 */
export function remediationEngine(bundle: Bundle, exceptions: readonly ZoneException[]): PolicyEngine {
  const judged: Bundle = { ...bundle, defaults: { ...bundle.defaults, enabled: true } };
  const zoneModes = new Map<string, Mode>(bundle.zones.map((zone) => [zone.name, "logging"]));
  return PolicyEngine.compile(judged, { epoch: 0, zoneModes, exceptions });
}

/**
 * Decides the signature's flow as a bare write (no sources, no purpose: the signature does not
 * keep them) and says whether its `(zone, rule)` is still violated. `undecidable` when the
 * policy no longer declares a label or the ids are malformed.
 */
export function judge(engine: PolicyEngine, signature: SignatureKey, nowMs: number): Verdict {
  try {
    const decision = engine.decide(
      { producer: signature.producer, sink: signature.sink, labels: signature.labels, sources: [], purpose: "" },
      nowMs,
    );
    return decision.violations.some((v) => v.zone === signature.zone && v.rule === signature.rule) ? "violated" : "clear";
  } catch (error) {
    if (error instanceof WriteError) return "undecidable";
    throw error;
  }
}
