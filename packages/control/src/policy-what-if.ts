import { PolicyEngine } from "@flowzone/engine";

import { ControlError } from "./control-error";
import type { WhatIfCandidate, WhatIfRequest, WhatIfView } from "./control-plane";
import type { Database } from "./database";
import { listFlows } from "./flow-store";
import { formatDuration } from "./format-duration";
import { isMode } from "./modes";
import type { CurrentPolicy } from "./policy-cache";
import { storedRuntimeState } from "./stored-runtime-state";
import { validBundle } from "./valid-bundle";
import { compareOnFlows } from "./what-if";

/** How far back the flip guard counts flows: "how many flows seen in the last 7 days would it deny". */
export const FLIP_GUARD_WINDOW_MS = 7 * 86_400_000;

/** The flip guard's count as people read it, e.g. "3 inventoried flows seen in the last 7d". */
export function flowsSeenInGuardWindow(count: number): string {
  return `${count} inventoried flow${count === 1 ? "" : "s"} seen in the last ${formatDuration(FLIP_GUARD_WINDOW_MS)}`;
}

/**
 * A what-if on the control plane's store: the policy in force and the candidate, both under the
 * stored runtime state, compared over every inventoried flow seen in the window ending `nowMs`.
 * Reads only; a flow inventory of any size is evaluated whole, since a what-if that skipped the
 * quiet tail of the inventory would pass exactly the changes that break rare flows.
 */
export async function whatIfOnStore(db: Database, policy: CurrentPolicy, request: WhatIfRequest, nowMs: number): Promise<WhatIfView> {
  const { windowMs } = request;
  if (!Number.isFinite(windowMs) || windowMs <= 0) {
    throw new ControlError("invalid_argument", `the window must be a positive duration such as 7d, not ${String(windowMs)} ms`);
  }
  const current = PolicyEngine.compile(policy.bundle, await storedRuntimeState(db, nowMs));
  const candidate = candidateEngine(current, request.candidate);
  const sinceMs = nowMs - windowMs;
  const flows = await listFlows(db, { sinceMs });
  return { ...compareOnFlows(current, candidate, flows, nowMs), window: { since: new Date(sinceMs), until: new Date(nowMs) } };
}

/** A bundle under the state in force, or the engine in force with one zone's runtime mode changed. */
function candidateEngine(current: PolicyEngine, candidate: WhatIfCandidate): PolicyEngine {
  if ("files" in candidate) return PolicyEngine.compile(validBundle(candidate.files), current.state);
  const { zone, to } = candidate.flip;
  if (current.effectiveZoneMode(zone) === undefined) throw new ControlError("not_found", `no zone is named "${zone}"`);
  if (!isMode(to)) throw new ControlError("invalid_argument", `mode "${String(to)}" is not one of off, logging, enforcement`);
  return current.withState({ ...current.state, zoneModes: new Map(current.state.zoneModes).set(zone, to) });
}
