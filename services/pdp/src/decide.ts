import type { Decision, PolicyEngine, Write } from "@flowzone/engine";
import { checkLimits } from "./check-limits";
import type { Limits } from "./limits";

/**
 * Decides one write with a given engine, after the service's own limits. Throws an
 * `invalid_argument` `FlowzoneError` (over a limit) or the engine's `WriteError` for a request
 * that cannot be decided; never returns a default.
 */
export function decide(engine: PolicyEngine, write: Write, limits: Limits): Decision {
  checkLimits(write, limits);
  return engine.decide(write);
}
