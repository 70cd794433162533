/**
 * The HTTP API's JSON (docs/reference/http-api.md, openapi.json): camelCase keys, RFC 3339 times, null for "none".
 * Built key by key from the facade's views rather than serialised as they are, so a field
 * added to a view never leaks onto the wire by accident. The CLI reads the same types.
 */
import type {
  DrainForecast,
  DrainState,
  ExceptionView,
  FlippedZone,
  FlipView,
  FlowCount,
  Readiness,
  Resolution,
  SignatureStatus,
  ViolationView,
  WhatIfEntry,
  WhatIfFlow,
  WhatIfInvalid,
  WhatIfView,
  ZoneDetail,
  ZoneView,
} from "@flowzone/control";
import type { RedriveSummary } from "@flowzone/enforcer";
import type { FailMode, Mode, Write } from "@flowzone/engine";

export interface ZoneJson {
  readonly name: string;
  readonly mode: Mode;
  readonly effectiveMode: Mode;
  readonly failMode: FailMode;
  readonly openViolations: number;
  readonly violationsNotStored: number;
  readonly lastViolationAt: string | null;
  readonly drained: boolean;
  readonly readyToEnforce: boolean;
  readonly owners: readonly string[];
  readonly drain: DrainJson;
}

export interface DrainJson {
  readonly state: DrainState;
  readonly resolvedPerDay: number;
  readonly openedPerDay: number;
  readonly projectedDrainAt: string | null;
  readonly windowDays: number;
}

export interface ReadinessJson {
  readonly ready: boolean;
  readonly blockers: readonly string[];
  readonly decisionsInQuietPeriod: number;
  readonly quietPeriodEndsAt: string | null;
}

export interface FlowCountJson {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly count: number;
}

export interface ExceptionJson {
  readonly id: string;
  readonly zone: string;
  readonly producer: string;
  readonly sink: string;
  readonly justification: string;
  readonly approver: string;
  readonly expiresAt: string;
  readonly createdAt: string;
}

export interface FlipJson {
  readonly from: Mode;
  readonly to: Mode;
  readonly actor: string;
  readonly reason: string;
  readonly forced: boolean;
  readonly automatic: boolean;
  readonly at: string;
}

export interface ZoneDetailJson extends ZoneJson {
  readonly readiness: ReadinessJson;
  readonly topOpenFlows: readonly FlowCountJson[];
  readonly exceptions: readonly ExceptionJson[];
  readonly history: readonly FlipJson[];
}

export interface ViolationJson {
  readonly id: string;
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly status: SignatureStatus;
  readonly resolution: Resolution | null;
  readonly reopened: number;
}

/** `POST /v1/zones/{zone}/flip`: the zone after the flip and the flip guard's count. */
export interface FlippedZoneJson extends ZoneJson {
  readonly flowsNewlyDenied: number;
}

/** The write of a flow, as the inventory and what-if name it. */
export interface FlowWriteJson {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly sources: readonly string[];
  readonly purpose: string;
}

export interface WhatIfFlowJson extends FlowWriteJson {
  readonly count: number;
  readonly lastSeen: string;
}

export interface WhatIfEntryJson extends WhatIfFlowJson {
  readonly zone: string;
  readonly rule: string;
}

export interface WhatIfInvalidJson extends WhatIfFlowJson {
  readonly error: string;
}

/** `POST /v1/policy/whatif`. */
export interface WhatIfJson {
  readonly newlyDenied: readonly WhatIfEntryJson[];
  readonly newlyAllowed: readonly WhatIfEntryJson[];
  readonly opened: readonly WhatIfEntryJson[];
  readonly resolved: readonly WhatIfEntryJson[];
  readonly invalid: readonly WhatIfInvalidJson[];
  readonly flowsNewlyDenied: number;
  readonly flowsEvaluated: number;
  readonly window: { readonly since: string; readonly until: string };
}

/** The error body of every non-2xx response. */
export interface ErrorJson {
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** The request field at fault, for `invalid_argument`. */
    readonly field?: string;
    /** `not_drained`: each blocker a sentence with its number. */
    readonly blockers?: readonly string[];
    /** `invalid_policy`: every `file:line: message`. */
    readonly errors?: readonly string[];
    /** `not_drained` of a flip to enforcement: inventoried flows it would newly deny. */
    readonly flowsNewlyDenied?: number;
  };
}

export function zoneJson(zone: ZoneView): ZoneJson {
  return {
    name: zone.name,
    mode: zone.mode,
    effectiveMode: zone.effectiveMode,
    failMode: zone.failMode,
    openViolations: zone.openViolations,
    violationsNotStored: zone.violationsNotStored,
    lastViolationAt: timeOrNull(zone.lastViolationAt),
    drained: zone.drained,
    readyToEnforce: zone.readyToEnforce,
    owners: [...zone.owners],
    drain: drainJson(zone.drain),
  };
}

export function flippedZoneJson(zone: FlippedZone): FlippedZoneJson {
  return { ...zoneJson(zone), flowsNewlyDenied: zone.flowsNewlyDenied };
}

export function whatIfJson(answer: WhatIfView): WhatIfJson {
  return {
    newlyDenied: answer.newlyDenied.map(whatIfEntryJson),
    newlyAllowed: answer.newlyAllowed.map(whatIfEntryJson),
    opened: answer.opened.map(whatIfEntryJson),
    resolved: answer.resolved.map(whatIfEntryJson),
    invalid: answer.invalid.map((flow: WhatIfInvalid) => ({ ...whatIfFlowJson(flow), error: flow.error })),
    flowsNewlyDenied: answer.flowsNewlyDenied,
    flowsEvaluated: answer.flowsEvaluated,
    window: { since: answer.window.since.toISOString(), until: answer.window.until.toISOString() },
  };
}

export function zoneDetailJson(zone: ZoneDetail): ZoneDetailJson {
  return {
    ...zoneJson(zone),
    readiness: readinessJson(zone.readiness),
    topOpenFlows: zone.topOpenFlows.map(flowCountJson),
    exceptions: zone.exceptions.map(exceptionJson),
    history: zone.history.map(flipJson),
  };
}

export function violationJson(violation: ViolationView): ViolationJson {
  return {
    id: violation.id,
    zone: violation.zone,
    rule: violation.rule,
    producer: violation.producer,
    sink: violation.sink,
    labels: [...violation.labels],
    firstSeen: violation.firstSeen.toISOString(),
    lastSeen: violation.lastSeen.toISOString(),
    count: violation.count,
    status: violation.status,
    resolution: violation.resolution,
    reopened: violation.reopened,
  };
}

export function exceptionJson(exception: ExceptionView): ExceptionJson {
  return {
    id: exception.id,
    zone: exception.zone,
    producer: exception.producer,
    sink: exception.sink,
    justification: exception.justification,
    approver: exception.approver,
    expiresAt: exception.expiresAt.toISOString(),
    createdAt: exception.createdAt.toISOString(),
  };
}

function readinessJson(readiness: Readiness): ReadinessJson {
  return {
    ready: readiness.ready,
    blockers: [...readiness.blockers],
    decisionsInQuietPeriod: readiness.decisionsInQuietPeriod,
    quietPeriodEndsAt: timeOrNull(readiness.quietPeriodEndsAt),
  };
}

function drainJson(drain: DrainForecast): DrainJson {
  return {
    state: drain.state,
    resolvedPerDay: drain.resolvedPerDay,
    openedPerDay: drain.openedPerDay,
    projectedDrainAt: timeOrNull(drain.projectedDrainAt),
    windowDays: drain.windowDays,
  };
}

function flowCountJson(flow: FlowCount): FlowCountJson {
  return { producer: flow.producer, sink: flow.sink, labels: [...flow.labels], count: flow.count };
}

function whatIfEntryJson(entry: WhatIfEntry): WhatIfEntryJson {
  return { zone: entry.zone, rule: entry.rule, ...whatIfFlowJson(entry) };
}

export function flowWriteJson(write: Write): FlowWriteJson {
  return { producer: write.producer, sink: write.sink, labels: [...write.labels], sources: [...write.sources], purpose: write.purpose };
}

function whatIfFlowJson(flow: WhatIfFlow): WhatIfFlowJson {
  return {
    ...flowWriteJson(flow),
    count: flow.count,
    lastSeen: flow.lastSeen.toISOString(),
  };
}

function flipJson(flip: FlipView): FlipJson {
  return {
    from: flip.from,
    to: flip.to,
    actor: flip.actor,
    reason: flip.reason,
    forced: flip.forced,
    automatic: flip.automatic,
    at: flip.at.toISOString(),
  };
}

function timeOrNull(time: Date | null): string | null {
  return time === null ? null : time.toISOString();
}

/** `POST /v1/routes/{route}/redrive`: what the re-drive did, record by record of the quarantine range it read. */
export interface RedriveJson {
  readonly route: string;
  readonly examined: number;
  readonly redriven: number;
  readonly alreadyRedriven: number;
  readonly stillDenied: number;
  readonly unreadable: number;
  readonly skipped: number;
}

export function redriveJson(s: RedriveSummary): RedriveJson {
  return { route: s.route, examined: s.examined, redriven: s.redriven, alreadyRedriven: s.alreadyRedriven, stillDenied: s.stillDenied, unreadable: s.unreadable, skipped: s.skipped };
}
