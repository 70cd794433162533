import { WriteError, type Decision, type PolicyEngine, type Violation, type Write } from "@flowzone/engine";

import type { InventoriedFlow } from "./flow-store";

/** A flow as a what-if answer names it: what was written (all its labels, not only the zone's), how often in the window, and when last. */
export interface WhatIfFlow extends Write {
  /** Decisions of this flow in the window. */
  readonly count: number;
  readonly lastSeen: Date;
}

/** One `(flow, zone, rule)` of a what-if answer. */
export interface WhatIfEntry extends WhatIfFlow {
  readonly zone: string;
  /** `boundary` or the name of an extra rule. */
  readonly rule: string;
}

/** A flow the candidate cannot decide at all, and why: it would be refused as malformed. */
export interface WhatIfInvalid extends WhatIfFlow {
  readonly error: string;
}

/** What a candidate policy changes for a set of flows, each list ordered by traffic (most first). */
export interface WhatIfOutcome {
  /** Allowed now, denied by the candidate: one entry per enforced violation of the candidate. */
  readonly newlyDenied: readonly WhatIfEntry[];
  /** Denied now, allowed by the candidate: one entry per enforced violation today. */
  readonly newlyAllowed: readonly WhatIfEntry[];
  /** Violations (any mode) the candidate has and the current policy has not. */
  readonly opened: readonly WhatIfEntry[];
  /** Violations (any mode) the current policy has and the candidate has not. */
  readonly resolved: readonly WhatIfEntry[];
  /** Flows the current policy decides and the candidate cannot: they would be refused. */
  readonly invalid: readonly WhatIfInvalid[];
  /** Distinct flows in `newlyDenied`: the number the flip guard reports. */
  readonly flowsNewlyDenied: number;
  /** Every flow looked at, including those the current policy cannot decide. */
  readonly flowsEvaluated: number;
}

/**
 * Decides every flow with both engines and says what changes. Pure: the engines and the flows
 * are all it reads, so the same comparison serves a candidate bundle, a flip and the flip guard.
 *
 * A flow the current policy cannot decide (a WriteError: reported under an older bundle that
 * declared a label this one does not) is refused today whatever the candidate says, so there is
 * no decision to compare it with: it is counted in `flowsEvaluated` and listed nowhere. A flow
 * the candidate cannot decide but the current policy can is `invalid`, and only that: a change
 * that makes real traffic undecidable breaks it as surely as a deny does.
 * `nowMs` dates exceptions, for both engines alike.
 */
export function compareOnFlows(current: PolicyEngine, candidate: PolicyEngine, flows: readonly InventoriedFlow[], nowMs: number): WhatIfOutcome {
  const newlyDenied: WhatIfEntry[] = [];
  const newlyAllowed: WhatIfEntry[] = [];
  const opened: WhatIfEntry[] = [];
  const resolved: WhatIfEntry[] = [];
  const invalid: WhatIfInvalid[] = [];
  let flowsNewlyDenied = 0;
  for (const flow of [...flows].sort(byTraffic)) {
    const write: Write = { producer: flow.producer, sink: flow.sink, labels: flow.labels, sources: flow.sources, purpose: flow.purpose };
    const before = decideOrRefuse(current, write, nowMs);
    if (before instanceof WriteError) continue;
    const after = decideOrRefuse(candidate, write, nowMs);
    const seen = flowOf(flow);
    if (after instanceof WriteError) {
      invalid.push({ ...seen, error: after.message });
      continue;
    }
    const entry = (v: Violation): WhatIfEntry => ({ zone: v.zone, rule: v.rule, ...seen });
    if (before.allow && !after.allow) {
      flowsNewlyDenied++;
      newlyDenied.push(...after.violations.filter((v) => v.enforced).map(entry));
    }
    if (!before.allow && after.allow) newlyAllowed.push(...before.violations.filter((v) => v.enforced).map(entry));
    opened.push(...missingFrom(before, after).map(entry));
    resolved.push(...missingFrom(after, before).map(entry));
  }
  return { newlyDenied, newlyAllowed, opened, resolved, invalid, flowsNewlyDenied, flowsEvaluated: flows.length };
}

/** Most traffic first; then the most recently seen; then by signature, so equal flows keep one order. */
function byTraffic(a: InventoriedFlow, b: InventoriedFlow): number {
  return b.count - a.count || b.lastSeenMs - a.lastSeenMs || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0);
}

/** The violations of `after` whose `(zone, rule)` `before` does not have. */
function missingFrom(before: Decision, after: Decision): Violation[] {
  const had = new Set(before.violations.map(violationKey));
  return after.violations.filter((v) => !had.has(violationKey(v)));
}

function violationKey(violation: Violation): string {
  return JSON.stringify([violation.zone, violation.rule]);
}

function decideOrRefuse(engine: PolicyEngine, write: Write, nowMs: number): Decision | WriteError {
  try {
    return engine.decide(write, nowMs);
  } catch (error) {
    if (error instanceof WriteError) return error;
    throw error;
  }
}

function flowOf(flow: InventoriedFlow): WhatIfFlow {
  return {
    producer: flow.producer,
    sink: flow.sink,
    labels: [...flow.labels],
    sources: [...flow.sources],
    purpose: flow.purpose,
    count: flow.count,
    lastSeen: new Date(flow.lastSeenMs),
  };
}
