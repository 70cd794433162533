/**
 * The control plane as its transports (HTTP, gRPC ZoneService, CLI) see it: one facade of
 * domain operations with plain types. Transports map these to JSON or protobuf and map
 * {@link ControlError} codes to statuses; the facade knows nothing of either.
 */
import type { FailMode, Mode, Write } from "@flowzone/engine";

import type { AuditEntry } from "./convert-audit-entry";
import type { DecisionPoint } from "./decision-point-store";
import type { DrainForecast } from "./drain-forecast";
import type { WhatIfOutcome } from "./what-if";

/** Who asks: the subject of a bearer token (or "anonymous" in open dev mode). */
export interface Actor {
  readonly subject: string;
}

/** A zone as `GET /v1/zones` lists it (docs/reference/http-api.md). */
export interface ZoneView {
  readonly name: string;
  /** Mode configured at runtime. */
  readonly mode: Mode;
  /** Mode after the master switch. */
  readonly effectiveMode: Mode;
  readonly failMode: FailMode;
  /** Number of open violation signatures. */
  readonly openViolations: number;
  /**
   * Violations not stored because their signature was new and the zone already held its limit of
   * open signatures (in all, since the store was created); while any was decided within the quiet
   * period the zone is not drained.
   */
  readonly violationsNotStored: number;
  readonly lastViolationAt: Date | null;
  readonly drained: boolean;
  readonly readyToEnforce: boolean;
  readonly owners: readonly string[];
  /** The burn-down's pace over the last week and the drain date it leads to. */
  readonly drain: DrainForecast;
}

export interface Readiness {
  readonly ready: boolean;
  /** Each a sentence with its number, e.g. "3 violation signatures are still open". */
  readonly blockers: readonly string[];
  readonly decisionsInQuietPeriod: number;
  /** When the zone becomes ready if nothing new happens; null when that cannot be said. */
  readonly quietPeriodEndsAt: Date | null;
}

export interface FlowCount {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly count: number;
}

export interface ExceptionView {
  readonly id: string;
  readonly zone: string;
  readonly producer: string;
  readonly sink: string;
  readonly justification: string;
  readonly approver: string;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

export interface FlipView {
  readonly from: Mode;
  readonly to: Mode;
  readonly actor: string;
  readonly reason: string;
  readonly forced: boolean;
  readonly automatic: boolean;
  readonly at: Date;
}

/** `GET /v1/zones/{zone}`. */
export interface ZoneDetail extends ZoneView {
  readonly readiness: Readiness;
  readonly topOpenFlows: readonly FlowCount[];
  readonly exceptions: readonly ExceptionView[];
  /** Newest first. */
  readonly history: readonly FlipView[];
}

export type SignatureStatus = "open" | "resolved";
export type Resolution = "policy_change" | "exception" | "fixed";

/** One backlog row: a `(zone, rule, producer, sink, labels)` signature and its counters. */
export interface ViolationView {
  readonly id: string;
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly count: number;
  readonly status: SignatureStatus;
  readonly resolution: Resolution | null;
  /** How many times it reopened. */
  readonly reopened: number;
}

export interface FlipRequest {
  readonly to: Mode;
  readonly reason: string;
  readonly force: boolean;
}

/** A flip's answer: the zone after it, and what the flip guard counted before it. */
export interface FlippedZone extends ZoneView {
  /**
   * For a flip to enforcement: inventoried flows seen in the last 7 days that the zone in
   * enforcement denies and the policy before the flip allowed. 0 for other flips.
   */
  readonly flowsNewlyDenied: number;
}

/** What a what-if compares with the policy in force: a bundle's files, or one zone flipped. */
export type WhatIfCandidate =
  | { readonly files: Readonly<Record<string, string>> }
  | { readonly flip: { readonly zone: string; readonly to: Mode } };

export interface WhatIfRequest {
  readonly candidate: WhatIfCandidate;
  /** How far back the inventoried flows are taken from. */
  readonly windowMs: number;
}

/** `POST /v1/policy/whatif`: the comparison, over the flows seen from `window.since` to `window.until`. */
export interface WhatIfView extends WhatIfOutcome {
  readonly window: { readonly since: Date; readonly until: Date };
}

export interface ExceptionRequest {
  /** Asset-id pattern. */
  readonly producer: string;
  /** Asset-id pattern. */
  readonly sink: string;
  readonly justification: string;
  readonly expiresAt: Date;
}

export interface ViolationQuery {
  readonly status: SignatureStatus | "all";
  readonly limit: number;
  /** A keyset page: the signatures listed after this one (the last of the page before). */
  readonly after?: { readonly lastSeen: Date; readonly id: string } | undefined;
}

/** One UTC day of a zone's backlog. */
export interface BacklogDay {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** Open signatures at the end of the day (today: now). */
  readonly open: number;
  /** Signatures that opened that day: first seen, or seen again after being resolved. */
  readonly new: number;
  readonly resolved: number;
}

/** `GET /v1/zones/{zone}/history`: one entry per UTC day, oldest first, today last. */
export interface ZoneHistory {
  readonly zone: string;
  readonly days: readonly BacklogDay[];
}

/** One audit record of a zone, as the backlog read it (`GET /v1/zones/{zone}/audit`). */
export interface AuditRecordView extends Omit<AuditEntry, "atMs" | "zone"> {
  readonly at: Date;
}

/** A decision point, from its `zone_traffic` reports. */
export interface DecisionPointView extends DecisionPoint {
  /** Whether its latest report was decided under the policy version in force. */
  readonly upToDate: boolean;
}

/** `GET /v1/decision-points`. */
export interface DecisionPointList {
  readonly decisionPoints: readonly DecisionPointView[];
  /** `<bundle digest>@<epoch>`: what an up-to-date decision point reports. */
  readonly currentPolicyVersion: string;
}

/** `GET /v1/flows`: which inventoried flows; absent filters match every flow. */
export interface FlowListQuery {
  /** How far back from now the window reaches. */
  readonly windowMs: number;
  /** Flows touching this zone of the policy in force. */
  readonly zone?: string | undefined;
  /** A label the writes carried. */
  readonly label?: string | undefined;
  readonly sink?: string | undefined;
  readonly producer?: string | undefined;
  readonly limit: number;
}

/** One inventoried flow with its traffic in the window and the zones of the policy in force it touches. */
export interface FlowView extends Write {
  readonly signature: string;
  /** Empty when the flow touches no zone, or the policy in force cannot read it (an undeclared label). */
  readonly zones: readonly string[];
  /** Decisions in the window. */
  readonly count: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

/** The flows of a window, most traffic first. */
export interface FlowList {
  readonly flows: readonly FlowView[];
  readonly window: { readonly since: Date; readonly until: Date };
}

/** The control plane's operations. Every change is audited with its actor and kept in history. */
export interface ControlPlane {
  listZones(): Promise<ZoneView[]>;
  /** @throws ControlError `not_found` */
  getZone(zone: string): Promise<ZoneDetail>;
  /** @throws ControlError `not_found` */
  listViolations(zone: string, query: ViolationQuery): Promise<ViolationView[]>;
  /**
   * To enforcement only when drained (else `not_drained` with blockers) unless forced with a
   * reason; back to logging or off always.
   * A flip to enforcement counts the inventoried flows it newly denies, in its answer and in the
   * `not_drained` refusal.
   * @throws ControlError `not_found`, `invalid_argument`, `not_drained`
   */
  flip(zone: string, request: FlipRequest, actor: Actor): Promise<FlippedZone>;
  /** @throws ControlError `not_found`, `invalid_argument` (bad pattern, expiry in the past, empty justification) */
  grantException(zone: string, request: ExceptionRequest, actor: Actor): Promise<ExceptionView>;
  /** @throws ControlError `not_found` */
  revokeException(id: string, actor: Actor): Promise<void>;
  /** @throws ControlError `not_found` */
  markFixed(violationId: string, note: string, actor: Actor): Promise<ViolationView>;
  /** Validates and publishes a bundle. @throws ControlError `invalid_policy` with every `file:line` error in `details.errors` */
  pushPolicy(files: Readonly<Record<string, string>>, actor: Actor): Promise<{ version: string }>;
  /**
   * Evaluates a candidate against every inventoried flow of the window, under the runtime state in
   * force (zone modes, exceptions, epoch); changes nothing.
   * @throws ControlError `invalid_policy` (every `file:line`), `not_found` (flip of an unknown zone), `invalid_argument`
   */
  whatIf(request: WhatIfRequest): Promise<WhatIfView>;
  /** The flow inventory: flows seen in the window, most traffic first. @throws ControlError `not_found` (unknown zone), `invalid_argument` */
  listFlows(query: FlowListQuery): Promise<FlowList>;
  /** The zone's backlog over its last `days` UTC days (1 to 365). @throws ControlError `not_found`, `invalid_argument` */
  zoneHistory(zone: string, days: number): Promise<ZoneHistory>;
  /** The zone's flips, newest first. @throws ControlError `not_found`, `invalid_argument` */
  listFlips(zone: string, limit: number): Promise<FlipView[]>;
  /** The zone's latest audit records (the store keeps the last 200), newest first. @throws ControlError `not_found`, `invalid_argument` */
  listAuditRecords(zone: string, limit: number): Promise<AuditRecordView[]>;
  /** The decision points that reported traffic in the last week, most recently seen first. */
  listDecisionPoints(): Promise<DecisionPointList>;
}
