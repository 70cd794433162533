import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

import type { Mode, Violation, Write } from "@flowzone/engine";
import { EnforcementPoint as ProtoEnforcementPoint, Mode as ProtoMode } from "@flowzone/proto";

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
  /**
   * The caller the decision service authenticated (an asset id), recorded beside the producer it
   * claimed; absent when callers are not authenticated, and for the enforcer and the SDK.
   */
  readonly authenticatedIdentity?: string;
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
 *
 * Written field by field with protobuf-es' BinaryWriter rather than `create` + `toBinary`: the
 * stream enforcer encodes one per violating record and the reflective path was a hot spot. The
 * bytes are exactly those `toBinary(AuditRecordSchema, ...)` writes (fields in number order,
 * proto3 defaults left out); `audit-record.spec.ts` compares the two.
 */
export function encodeViolationAudit(audit: ViolationAudit, index: number): EncodedAuditRecord {
  const { violation, write } = audit;
  const w = new BinaryWriter();
  str(w, 1, `${audit.decisionId}/${index}`);
  // google.protobuf.Timestamp, as timestampFromMs gives it.
  const seconds = Math.floor(audit.timeMs / 1000);
  const nanos = (audit.timeMs % 1000) * 1_000_000;
  w.tag(2, WireType.LengthDelimited).fork();
  if (seconds !== 0) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
  str(w, 3, violation.zone);
  str(w, 4, audit.traceId);
  str(w, 5, audit.policyVersion);
  // oneof event: violation = 10 (ViolationEvent)
  w.tag(10, WireType.LengthDelimited).fork();
  str(w, 1, audit.decisionId);
  str(w, 2, violation.rule);
  enumField(w, 3, MODES[violation.mode]);
  if (violation.enforced) w.tag(4, WireType.Varint).bool(true);
  for (const label of violation.labels) w.tag(5, WireType.LengthDelimited).string(label);
  str(w, 6, write.producer);
  str(w, 7, write.sink);
  for (const source of write.sources) w.tag(8, WireType.LengthDelimited).string(source);
  str(w, 9, write.purpose);
  enumField(w, 10, POINTS[audit.enforcementPoint]);
  str(w, 11, violation.reason);
  if (audit.position !== undefined) {
    const { topic, partition, offset } = audit.position;
    w.tag(12, WireType.LengthDelimited).fork();
    str(w, 1, topic);
    if (partition !== 0) w.tag(2, WireType.Varint).int32(partition);
    const offset64 = BigInt(offset);
    if (offset64 !== 0n) w.tag(3, WireType.Varint).int64(offset64);
    w.join();
  }
  if (audit.authenticatedIdentity !== undefined) str(w, 13, audit.authenticatedIdentity);
  w.join();
  const bytes = w.finish();
  return { key: violation.zone, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

/** A proto3 string field: left out when empty. */
function str(w: BinaryWriter, field: number, value: string): void {
  if (value !== "") w.tag(field, WireType.LengthDelimited).string(value);
}

/** A proto3 enum field: left out when 0. */
function enumField(w: BinaryWriter, field: number, value: number): void {
  if (value !== 0) w.tag(field, WireType.Varint).int32(value);
}
