import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";

import { AuditRecordSchema, EnforcementPoint as ProtoEnforcementPoint } from "@flowzone/proto";

import type { EncodedAuditRecord, EnforcementPoint } from "./audit-record";

/** Decisions one enforcement point evaluated for one zone over a window. */
export interface ZoneTraffic {
  readonly zone: string;
  readonly decisions: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly enforcementPoint: EnforcementPoint;
  /** Identifies the reporting process; with the window end it makes the record id unique. */
  readonly reporter: string;
  readonly policyVersion: string;
}

const POINTS: Record<EnforcementPoint, ProtoEnforcementPoint> = {
  decision_service: ProtoEnforcementPoint.DECISION_SERVICE,
  stream_enforcer: ProtoEnforcementPoint.STREAM_ENFORCER,
  sdk: ProtoEnforcementPoint.SDK,
};

/**
 * Encodes a zone_traffic record (key = zone). The control plane sums them to tell a zone that
 * is quiet because it is clean from one that is quiet because nothing reached it.
 */
export function encodeZoneTraffic(traffic: ZoneTraffic): EncodedAuditRecord {
  const record = create(AuditRecordSchema, {
    id: `${traffic.reporter}/${traffic.zone}/${traffic.windowEndMs}`,
    time: timestampFromMs(traffic.windowEndMs),
    zone: traffic.zone,
    policyVersion: traffic.policyVersion,
    event: {
      case: "zoneTraffic",
      value: {
        decisions: BigInt(traffic.decisions),
        windowStart: timestampFromMs(traffic.windowStartMs),
        windowEnd: timestampFromMs(traffic.windowEndMs),
        enforcementPoint: POINTS[traffic.enforcementPoint],
        reporter: traffic.reporter,
      },
    },
  });
  return { key: traffic.zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}
