import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";

import type { EnforcementPoint } from "@flowzone/audit";
import { EnforcementPoint as ProtoEnforcementPoint, FlowReportSchema } from "@flowzone/proto";

import type { FlowCount } from "./flow-window";

/** Who reports a window, and under which policy. */
export interface ReportSource {
  readonly enforcementPoint: EnforcementPoint;
  /** Identifies the reporting process, e.g. `pdp-3f9a…`. */
  readonly reporter: string;
  /** Policy version in force at the window's end. */
  readonly policyVersion: string;
}

/** A FlowReport ready for Kafka: key = the flow's signature, value = protobuf `flowzone.v1.FlowReport`. */
export interface EncodedFlowReport {
  readonly key: string;
  readonly value: Buffer;
}

const POINTS: Record<EnforcementPoint, ProtoEnforcementPoint> = {
  decision_service: ProtoEnforcementPoint.DECISION_SERVICE,
  stream_enforcer: ProtoEnforcementPoint.STREAM_ENFORCER,
  sdk: ProtoEnforcementPoint.SDK,
};

/**
 * Encodes one flow's count in a window as the proto comments require, since the control plane
 * trusts the record as it is: labels and sources sorted and without duplicates (the count's flow
 * is canonical), count > 0, and `window_start <= last_seen <= window_end` (last seen is clamped
 * into the window, so a clock stepping back cannot break it).
 */
export function encodeFlowReport(counted: FlowCount, window: { readonly startMs: number; readonly endMs: number }, source: ReportSource): EncodedFlowReport {
  if (!(counted.count > 0)) throw new RangeError(`a flow report needs a count above 0, got ${counted.count} for flow ${counted.signature}`);
  const endMs = Math.max(window.startMs, window.endMs);
  const { flow } = counted;
  const report = create(FlowReportSchema, {
    signature: counted.signature,
    producer: flow.producer,
    sink: flow.sink,
    labels: [...flow.labels],
    sources: [...flow.sources],
    purpose: flow.purpose,
    count: BigInt(counted.count),
    windowStart: timestampFromMs(window.startMs),
    windowEnd: timestampFromMs(endMs),
    lastSeen: timestampFromMs(Math.min(endMs, Math.max(window.startMs, counted.lastSeenMs))),
    enforcementPoint: POINTS[source.enforcementPoint],
    reporter: source.reporter,
    policyVersion: source.policyVersion,
  });
  return { key: counted.signature, value: Buffer.from(toBinary(FlowReportSchema, report)) };
}
