import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";

import type { Mode, Violation, Write } from "@flowzone/engine";
import { AuditRecordSchema, EnforcementPoint as ProtoEnforcementPoint, Mode as ProtoMode } from "@flowzone/proto";

/** Where a decision was made. */
export type EnforcementPoint = "decision_service" | "stream_enforcer" | "sdk";

/** Where a record that came from a stream was read. */
export interface StreamPosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as the decimal string kafkajs gives. */
  readonly offset: string;
}

/** One violation of one decision, with everything its audit record carries. */
export interface ViolationAudit {
  readonly decisionId: string;
  readonly write: Write;
  readonly violation: Violation;
  readonly enforcementPoint: EnforcementPoint;
  readonly policyVersion: string;
  /** W3C trace id, or "" when the request carried none. */
  readonly traceId: string;
  readonly timeMs: number;
  readonly position?: StreamPosition;
}

/** An audit record ready for Kafka: key = zone name, value = protobuf AuditRecord. */
export interface EncodedAuditRecord {
  readonly key: string;
  readonly value: Buffer;
}

const MODES: Record<Mode, ProtoMode> = {
  off: ProtoMode.OFF,
  logging: ProtoMode.LOGGING,
  enforcement: ProtoMode.ENFORCEMENT,
};

const POINTS: Record<EnforcementPoint, ProtoEnforcementPoint> = {
  decision_service: ProtoEnforcementPoint.DECISION_SERVICE,
  stream_enforcer: ProtoEnforcementPoint.STREAM_ENFORCER,
  sdk: ProtoEnforcementPoint.SDK,
};

/**
 * Encodes the audit record of one violation. Its id is `<decisionId>/<index>` (the violation's
 * position in the decision), unique without a random draw and stable if the record is retried.
 */
export function encodeViolationAudit(audit: ViolationAudit, index: number): EncodedAuditRecord {
  const { violation, write } = audit;
  const record = create(AuditRecordSchema, {
    id: `${audit.decisionId}/${index}`,
    time: timestampFromMs(audit.timeMs),
    zone: violation.zone,
    traceId: audit.traceId,
    policyVersion: audit.policyVersion,
    event: {
      case: "violation",
      value: {
        decisionId: audit.decisionId,
        rule: violation.rule,
        mode: MODES[violation.mode],
        enforced: violation.enforced,
        labels: [...violation.labels],
        producer: write.producer,
        sink: write.sink,
        sources: [...write.sources],
        purpose: write.purpose,
        enforcementPoint: POINTS[audit.enforcementPoint],
        reason: violation.reason,
        ...(audit.position === undefined
          ? {}
          : { position: { topic: audit.position.topic, partition: audit.position.partition, offset: BigInt(audit.position.offset) } }),
      },
    },
  });
  return { key: violation.zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}
