import type { Histogram, ObservableResult } from "@opentelemetry/api";

import { METRIC_NAMES } from "./metric-names";
import type { Telemetry } from "./telemetry";

/** The parts of an engine decision the metrics read (structural, so this package needs no engine). */
export interface DecisionShape {
  readonly allow: boolean;
  readonly violations: readonly { readonly zone: string; readonly mode: string }[];
}

/** Engine-time buckets in seconds: a decision takes microseconds; the tail shows GC pauses. */
export const DECISION_DURATION_BUCKETS_S = [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2] as const;

/** One decision in this many is timed: two clock reads and a histogram record cost ~0.3-0.4 µs, a sampled one ~12 ns per decision. */
export const DECISION_TIMING_SAMPLE = 32;

type Attributes = Readonly<Record<string, string>>;

/** A pre-bound counter cell: its attribute set is built once, its count is a plain number. */
interface Cell {
  count: number;
  readonly attributes: Attributes;
}

/** Every cell of one zone, created when the zone first shows up in a violation. */
interface ZoneCells {
  /** zone decisions by [mode][outcome]: enforcement/logging × allow/deny. */
  readonly decisions: readonly [readonly [Cell, Cell], readonly [Cell, Cell]];
  /** violations by mode: enforcement, logging. */
  readonly violations: readonly [Cell, Cell];
  readonly wouldDeny: Cell;
  readonly failOpen: Cell;
  readonly failClosed: Cell;
}

/** The credentials an unauthenticated call presented: none, one, or a certificate and a token (`both`). */
export type PresentedCredential = "none" | "client_certificate" | "bearer_token" | "both";

/** The credential that authenticated a caller whose claim was refused. */
export type AuthenticatingCredential = "client_certificate" | "bearer_token";

const ENFORCEMENT = 0;
const LOGGING = 1;

function cell(attributes: Attributes): Cell {
  return { count: 0, attributes };
}

function zoneCells(zone: string): ZoneCells {
  const decisions = (mode: string): readonly [Cell, Cell] => [cell({ zone, mode, outcome: "allow" }), cell({ zone, mode, outcome: "deny" })];
  return {
    decisions: [decisions("enforcement"), decisions("logging")],
    violations: [cell({ zone, mode: "enforcement" }), cell({ zone, mode: "logging" })],
    wouldDeny: cell({ zone }),
    failOpen: cell({ zone }),
    failClosed: cell({ zone }),
  };
}

/**
 * The decision service's metrics. The hot path ({@link record}) only bumps plain numbers in cells
 * pre-bound per (zone, mode, outcome): an OpenTelemetry `counter.add` with attributes hashes them
 * on every call (~2.5 µs), so counters are observable and read the cells at scrape time. Latency
 * is a real histogram, fed with one decision in {@link DECISION_TIMING_SAMPLE}.
 */
export class DecisionMetrics {
  private readonly allow: Cell = cell({ outcome: "allow" });
  private readonly deny: Cell = cell({ outcome: "deny" });
  private readonly zones = new Map<string, ZoneCells>();
  /** Caller refusals by credential: every label pair is known up front, so the set stays small. */
  private readonly unauthenticated: Readonly<Record<PresentedCredential, Cell>> = {
    none: cell({ reason: "unauthenticated", credential: "none" }),
    client_certificate: cell({ reason: "unauthenticated", credential: "client_certificate" }),
    bearer_token: cell({ reason: "unauthenticated", credential: "bearer_token" }),
    both: cell({ reason: "unauthenticated", credential: "both" }),
  };
  private readonly mismatches: Readonly<Record<AuthenticatingCredential, Cell>> = {
    client_certificate: cell({ reason: "identity_mismatch", credential: "client_certificate" }),
    bearer_token: cell({ reason: "identity_mismatch", credential: "bearer_token" }),
  };
  private readonly duration: Histogram;
  private sampleTick = 0;

  constructor(telemetry: Telemetry) {
    const meter = telemetry.meter;
    this.duration = meter.createHistogram(METRIC_NAMES.decisionDuration, {
      description: `Policy engine time of one decision in ${DECISION_TIMING_SAMPLE} (sampled), in seconds.`,
      advice: { explicitBucketBoundaries: [...DECISION_DURATION_BUCKETS_S] },
    });
    const counter = (name: string, description: string, cells: (zone: ZoneCells) => Iterable<Cell>): void => {
      meter.createObservableCounter(name, { description }).addCallback((result) => {
        for (const zone of this.zones.values()) observeAll(result, cells(zone));
      });
    };
    meter.createObservableCounter(METRIC_NAMES.decisions, { description: "Decisions of the decision service, by outcome." }).addCallback((result) => {
      observeAll(result, [this.allow, this.deny]);
    });
    meter
      .createObservableCounter(METRIC_NAMES.callerRefusals, { description: "Calls refused for who their caller is, by reason (unauthenticated, identity_mismatch) and credential." })
      .addCallback((result) => {
        observeAll(result, [...Object.values(this.unauthenticated), ...Object.values(this.mismatches)]);
      });
    counter(METRIC_NAMES.zoneDecisions, "Decisions with a violation in the zone, by zone, strictest violated mode and outcome.", (z) => [...z.decisions[0], ...z.decisions[1]]);
    counter(METRIC_NAMES.violations, "Violations (one per violated rule), by zone and effective mode.", (z) => z.violations);
    counter(METRIC_NAMES.wouldDeny, "Decisions the zone would have denied were it enforcing (logging-mode violations only).", (z) => [z.wouldDeny]);
    counter(METRIC_NAMES.auditFailOpen, "Violations whose audit record could not be kept; the rule fails open, so the decision stood.", (z) => [z.failOpen]);
    counter(METRIC_NAMES.auditFailClosed, "Violations whose audit record could not be kept; the rule fails closed, so the write was denied.", (z) => [z.failClosed]);
  }

  /** Whether the next decision should be timed (call before deciding; cheap). */
  shouldTime(): boolean {
    this.sampleTick = (this.sampleTick + 1) % DECISION_TIMING_SAMPLE;
    return this.sampleTick === 0;
  }

  /** Records a timed decision's engine time, from two `process.hrtime.bigint()` readings. */
  recordDuration(startNs: bigint, endNs: bigint): void {
    this.duration.record(Number(endNs - startNs) / 1e9);
  }

  /** Counts one final decision (after the audit posture), its zones and its violations. */
  record(decision: DecisionShape): void {
    const violations = decision.violations;
    const outcome = decision.allow ? 0 : 1;
    (decision.allow ? this.allow : this.deny).count += 1;
    for (let i = 0; i < violations.length; i++) {
      const violation = violations[i];
      if (violation === undefined) continue;
      const zone = this.cellsOf(violation.zone);
      zone.violations[violation.mode === "enforcement" ? ENFORCEMENT : LOGGING].count += 1;
      if (seenBefore(violations, i)) continue;
      const mode = strictestFrom(violations, i);
      zone.decisions[mode][outcome].count += 1;
      if (mode === LOGGING) zone.wouldDeny.count += 1;
    }
  }

  /** Counts a violation whose audit record the trail could not keep, by its rule's fail posture. */
  recordAuditFailure(zone: string, failMode: "open" | "closed"): void {
    const cells = this.cellsOf(zone);
    (failMode === "closed" ? cells.failClosed : cells.failOpen).count += 1;
  }

  /** Counts one call refused as UNAUTHENTICATED, by the credentials it presented. */
  recordUnauthenticated(presented: PresentedCredential): void {
    this.unauthenticated[presented].count += 1;
  }

  /** Counts one call refused as PERMISSION_DENIED: its caller claimed a producer it may not speak for. */
  recordIdentityMismatch(credential: AuthenticatingCredential): void {
    this.mismatches[credential].count += 1;
  }

  private cellsOf(zone: string): ZoneCells {
    let cells = this.zones.get(zone);
    if (cells === undefined) {
      cells = zoneCells(zone);
      this.zones.set(zone, cells);
    }
    return cells;
  }
}

function observeAll(result: ObservableResult, cells: Iterable<Cell>): void {
  for (const c of cells) if (c.count > 0) result.observe(c.count, c.attributes);
}

/** True when an earlier violation has the same zone (the zone's decision is already counted). */
function seenBefore(violations: DecisionShape["violations"], index: number): boolean {
  const zone = violations[index]?.zone;
  for (let j = 0; j < index; j++) if (violations[j]?.zone === zone) return true;
  return false;
}

/** The strictest mode among the violations of `violations[index]`'s zone from `index` on. */
function strictestFrom(violations: DecisionShape["violations"], index: number): typeof ENFORCEMENT | typeof LOGGING {
  const zone = violations[index]?.zone;
  for (let j = index; j < violations.length; j++) {
    const v = violations[j];
    if (v !== undefined && v.zone === zone && v.mode === "enforcement") return ENFORCEMENT;
  }
  return LOGGING;
}
