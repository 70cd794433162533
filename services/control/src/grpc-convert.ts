/**
 * The ZoneService's protobuf edge: the only file of the service that knows flowzone.v1
 * messages. Requests become the plain shapes the shared validators take (so gRPC refuses the
 * same input with the same sentences as HTTP); the facade's views become responses.
 */
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { DrainForecast, DrainState, ExceptionView, FlowCount, FlipView, Resolution, ViolationView, ZoneDetail, ZoneView } from "@flowzone/control";
import type { FailMode, Mode } from "@flowzone/engine";
import type { ServiceHandlers } from "@flowzone/grpc-kit";
import {
  DrainForecastSchema,
  DrainState as ProtoDrainState,
  FailMode as ProtoFailMode,
  FlowCountSchema,
  GetZoneResponseSchema,
  Mode as ProtoMode,
  ReadinessSchema,
  Resolution as ProtoResolution,
  ViolationSignatureSchema,
  ViolationStatus,
  ZoneExceptionSchema,
  ZoneFlipSchema,
  ZoneSchema,
  ZoneService,
  file_flowzone_v1_zone,
} from "@flowzone/proto";
import type {
  FlipZoneRequest,
  GetZoneResponse,
  GrantExceptionRequest,
  ListViolationsRequest,
  Zone,
  ZoneException,
  ViolationSignature,
} from "@flowzone/proto";

/** The service descriptor the server registers, and the file reflection serves. */
export const zoneService = ZoneService;
export const zoneServiceFile = file_flowzone_v1_zone;

/** The grpc-js handlers of `ZoneService`, typed with its messages. */
export type ZoneHandlers = ServiceHandlers<typeof ZoneService>;

const MODES: Readonly<Record<Mode, ProtoMode>> = { off: ProtoMode.OFF, logging: ProtoMode.LOGGING, enforcement: ProtoMode.ENFORCEMENT };
const MODE_NAMES: ReadonlyMap<ProtoMode, Mode> = new Map(Object.entries(MODES).map(([name, value]) => [value, name as Mode]));
const FAIL_MODES: Readonly<Record<FailMode, ProtoFailMode>> = { open: ProtoFailMode.OPEN, closed: ProtoFailMode.CLOSED };
const RESOLUTIONS: Readonly<Record<Resolution, ProtoResolution>> = {
  policy_change: ProtoResolution.POLICY_CHANGE,
  exception: ProtoResolution.EXCEPTION,
  fixed: ProtoResolution.FIXED,
};

/** An unspecified status lists all (the proto's comment), like an absent `?status`. */
const VIOLATION_STATUSES: ReadonlyMap<ViolationStatus, string | undefined> = new Map([
  [ViolationStatus.UNSPECIFIED, undefined],
  [ViolationStatus.OPEN, "open"],
  [ViolationStatus.RESOLVED, "resolved"],
]);

/** A flip as the HTTP body would carry it: an unset mode is missing, an unknown one stays a number. */
export function flipBodyOf(request: FlipZoneRequest): Record<string, unknown> {
  const to = request.to === ProtoMode.UNSPECIFIED ? undefined : (MODE_NAMES.get(request.to) ?? request.to);
  return { to, reason: request.reason, force: request.force };
}

/** An exception grant as the HTTP body would carry it (`expiresAt` as RFC 3339). */
export function exceptionBodyOf(request: GrantExceptionRequest): Record<string, unknown> {
  return {
    producer: request.producer,
    sink: request.sink,
    justification: request.justification,
    expiresAt: request.expiresAt === undefined ? undefined : rfc3339Of(request.expiresAt),
  };
}

/** `status` and `limit` as the HTTP query would carry them; unset means the default. */
export function violationQueryOf(request: ListViolationsRequest): { status: string | undefined; limit: string | undefined } {
  const status = VIOLATION_STATUSES.has(request.status) ? VIOLATION_STATUSES.get(request.status) : String(request.status);
  return { status, limit: request.limit === 0 ? undefined : String(request.limit) };
}

export function zoneMessage(zone: ZoneView): Zone {
  return create(ZoneSchema, {
    name: zone.name,
    mode: MODES[zone.mode],
    effectiveMode: MODES[zone.effectiveMode],
    failMode: FAIL_MODES[zone.failMode],
    openViolations: zone.openViolations,
    violationsNotStored: BigInt(zone.violationsNotStored),
    ...(zone.lastViolationAt === null ? {} : { lastViolationAt: timestampFromDate(zone.lastViolationAt) }),
    drained: zone.drained,
    readyToEnforce: zone.readyToEnforce,
    owners: [...zone.owners],
    drain: drainMessage(zone.drain),
  });
}

const DRAIN_STATES: Record<DrainState, ProtoDrainState> = {
  drained: ProtoDrainState.DRAINED,
  draining: ProtoDrainState.DRAINING,
  not_draining: ProtoDrainState.NOT_DRAINING,
};

function drainMessage(drain: DrainForecast): ReturnType<typeof create<typeof DrainForecastSchema>> {
  return create(DrainForecastSchema, {
    state: DRAIN_STATES[drain.state],
    resolvedPerDay: drain.resolvedPerDay,
    openedPerDay: drain.openedPerDay,
    ...(drain.projectedDrainAt === null ? {} : { projectedDrainAt: timestampFromDate(drain.projectedDrainAt) }),
    windowDays: drain.windowDays,
  });
}

export function zoneDetailMessage(zone: ZoneDetail): GetZoneResponse {
  const { readiness } = zone;
  return create(GetZoneResponseSchema, {
    zone: zoneMessage(zone),
    readiness: create(ReadinessSchema, {
      ready: readiness.ready,
      blockers: [...readiness.blockers],
      decisionsInQuietPeriod: BigInt(readiness.decisionsInQuietPeriod),
      ...(readiness.quietPeriodEndsAt === null ? {} : { quietPeriodEndsAt: timestampFromDate(readiness.quietPeriodEndsAt) }),
    }),
    topOpenFlows: zone.topOpenFlows.map(flowCountMessage),
    exceptions: zone.exceptions.map(exceptionMessage),
    history: zone.history.map(flipMessage),
  });
}

export function violationMessage(violation: ViolationView): ViolationSignature {
  return create(ViolationSignatureSchema, {
    id: violation.id,
    zone: violation.zone,
    rule: violation.rule,
    producer: violation.producer,
    sink: violation.sink,
    labels: [...violation.labels],
    firstSeen: timestampFromDate(violation.firstSeen),
    lastSeen: timestampFromDate(violation.lastSeen),
    count: BigInt(violation.count),
    status: violation.status === "open" ? ViolationStatus.OPEN : ViolationStatus.RESOLVED,
    resolution: violation.resolution === null ? ProtoResolution.UNSPECIFIED : RESOLUTIONS[violation.resolution],
    reopened: violation.reopened,
  });
}

export function exceptionMessage(exception: ExceptionView): ZoneException {
  return create(ZoneExceptionSchema, {
    id: exception.id,
    zone: exception.zone,
    producer: exception.producer,
    sink: exception.sink,
    justification: exception.justification,
    approver: exception.approver,
    expiresAt: timestampFromDate(exception.expiresAt),
  });
}

function flowCountMessage(flow: FlowCount): ReturnType<typeof create<typeof FlowCountSchema>> {
  return create(FlowCountSchema, { producer: flow.producer, sink: flow.sink, labels: [...flow.labels], count: BigInt(flow.count) });
}

function flipMessage(flip: FlipView): ReturnType<typeof create<typeof ZoneFlipSchema>> {
  return create(ZoneFlipSchema, {
    from: MODES[flip.from],
    to: MODES[flip.to],
    actor: flip.actor,
    reason: flip.reason,
    forced: flip.forced,
    automatic: flip.automatic,
    time: timestampFromDate(flip.at),
  });
}

/** A timestamp as RFC 3339, or a marker the validator refuses when it is out of Date's range. */
function rfc3339Of(timestamp: Timestamp): string {
  const date = timestampDate(timestamp);
  return Number.isNaN(date.getTime()) ? `seconds=${timestamp.seconds}` : date.toISOString();
}
