import type { Mode, Violation, Write } from "@flowzone/engine";
import {
  EnforcementPoint as ProtoEnforcementPoint,
  Mode as ProtoMode,
  WireWriter,
  delimitedSize,
  repeatedStringSize,
  stringFieldSize,
  varint64Size,
  varintFieldSize,
} from "@flowzone/proto";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

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
 * Hand-written rather than `create` + `toBinary`, and rather than protobuf-es' BinaryWriter (a
 * chunk per string, fork/join per nested message): the audit trail encodes one record per
 * violation on the answer's path, and the encoding was a hot spot of the decision service with the
 * trail on. Every size is summed first, nested messages' lengths included, then the fields are
 * written into one Buffer of that size. The bytes are exactly those
 * `toBinary(AuditRecordSchema, ...)` writes (fields in number order, proto3 defaults left out);
 * `audit-record.spec.ts` compares the two. The fields a recurring violation repeats (rule to
 * reason) are copied as bytes encoded once ({@link recurringFieldsOf}).
 */
export function encodeViolationAudit(audit: ViolationAudit, index: number): EncodedAuditRecord {
  const { violation, position } = audit;
  const id = `${audit.decisionId}/${index}`;
  const idLength = Buffer.byteLength(id, "utf8");
  const zoneLength = Buffer.byteLength(violation.zone, "utf8");
  const traceIdLength = Buffer.byteLength(audit.traceId, "utf8");
  const policyVersionLength = Buffer.byteLength(audit.policyVersion, "utf8");
  const decisionIdLength = Buffer.byteLength(audit.decisionId, "utf8");
  const identityLength = audit.authenticatedIdentity === undefined ? 0 : Buffer.byteLength(audit.authenticatedIdentity, "utf8");
  const recurring = recurringFieldsOf(violation, audit.write, POINTS[audit.enforcementPoint]);

  // google.protobuf.Timestamp as timestampFromMs gives it: seconds floored, nanos never negative.
  const seconds = Math.floor(audit.timeMs / 1000);
  const nanos = (audit.timeMs - seconds * 1000) * 1_000_000;
  const timeLength = varintFieldSize(seconds) + varintFieldSize(nanos);

  // StreamPosition; offsets are 64-bit, so one past the safe integers is written from a bigint.
  let positionLength = 0;
  let topicLength = 0;
  let offset: number | bigint = 0;
  if (position !== undefined) {
    topicLength = Buffer.byteLength(position.topic, "utf8");
    const offset64 = BigInt(position.offset);
    offset = offset64 >= 0n && offset64 <= MAX_SAFE ? Number(offset64) : offset64;
    positionLength = stringFieldSize(topicLength) + varintFieldSize(position.partition) + (typeof offset === "number" ? varintFieldSize(offset) : 1 + varint64Size(offset));
  }

  const violationLength =
    stringFieldSize(decisionIdLength) +
    recurring.length +
    (position === undefined ? 0 : delimitedSize(positionLength)) +
    stringFieldSize(identityLength);
  const size =
    stringFieldSize(idLength) +
    delimitedSize(timeLength) +
    stringFieldSize(zoneLength) +
    stringFieldSize(traceIdLength) +
    stringFieldSize(policyVersionLength) +
    delimitedSize(violationLength);

  const w = new WireWriter(size);
  w.stringField(1, id, idLength);
  w.begin(2, timeLength);
  w.varintField(1, seconds);
  w.varintField(2, nanos);
  w.stringField(3, violation.zone, zoneLength);
  w.stringField(4, audit.traceId, traceIdLength);
  w.stringField(5, audit.policyVersion, policyVersionLength);
  // oneof event: violation = 10 (ViolationEvent)
  w.begin(10, violationLength);
  w.stringField(1, audit.decisionId, decisionIdLength);
  w.raw(recurring);
  if (position !== undefined) {
    w.begin(12, positionLength);
    w.stringField(1, position.topic, topicLength);
    w.varintField(2, position.partition);
    if (typeof offset === "number") w.varintField(3, offset);
    else w.varint64Field(3, offset);
  }
  if (audit.authenticatedIdentity !== undefined) w.stringField(13, audit.authenticatedIdentity, identityLength);
  return { key: violation.zone, value: w.finish() };
}

/** The recurring fields of a ViolationEvent as last encoded for one violation, and what they were encoded from. */
interface RecurringFields {
  readonly producer: string;
  readonly sink: string;
  readonly purpose: string;
  readonly sources: readonly string[];
  readonly point: ProtoEnforcementPoint;
  readonly bytes: Buffer;
}

/**
 * The last recurring fields encoded per violation. The engine hands out one frozen violation per
 * sink and rule while its mode and labels recur, so a stream of like writes finds its bytes here;
 * only frozen violations are kept (one that could change is encoded each time).
 */
const recurringByViolation = new WeakMap<Violation, RecurringFields>();

/**
 * ViolationEvent's fields 2 to 11 (rule, mode, enforced, labels, producer, sink, sources, purpose,
 * enforcement point, reason), encoded: what repeats from one record of a violation to the next,
 * between the decision id and the stream position.
 */
function recurringFieldsOf(violation: Violation, write: Write, point: ProtoEnforcementPoint): Buffer {
  const last = recurringByViolation.get(violation);
  if (
    last !== undefined &&
    last.producer === write.producer &&
    last.sink === write.sink &&
    last.purpose === write.purpose &&
    last.point === point &&
    sameStrings(last.sources, write.sources)
  ) {
    return last.bytes;
  }
  const kept = Object.isFrozen(violation);
  const bytes = encodeRecurringFields(violation, write, point, kept);
  if (kept) {
    const sources = Object.isFrozen(write.sources) ? write.sources : [...write.sources];
    recurringByViolation.set(violation, { producer: write.producer, sink: write.sink, purpose: write.purpose, sources, point, bytes });
  }
  return bytes;
}

/** `kept`: the bytes outlive the call, so they get memory of their own rather than a slice of Node's shared pool, which they would keep alive whole. */
function encodeRecurringFields(violation: Violation, write: Write, point: ProtoEnforcementPoint, kept: boolean): Buffer {
  const ruleLength = Buffer.byteLength(violation.rule, "utf8");
  const producerLength = Buffer.byteLength(write.producer, "utf8");
  const sinkLength = Buffer.byteLength(write.sink, "utf8");
  const purposeLength = Buffer.byteLength(write.purpose, "utf8");
  const reasonLength = Buffer.byteLength(violation.reason, "utf8");
  const mode = MODES[violation.mode];
  const size =
    stringFieldSize(ruleLength) +
    varintFieldSize(mode) +
    (violation.enforced ? 2 : 0) +
    repeatedStringSize(violation.labels) +
    stringFieldSize(producerLength) +
    stringFieldSize(sinkLength) +
    repeatedStringSize(write.sources) +
    stringFieldSize(purposeLength) +
    varintFieldSize(point) +
    stringFieldSize(reasonLength);
  const w = kept ? new WireWriter(Buffer.allocUnsafeSlow(size), 0) : new WireWriter(size);
  w.stringField(2, violation.rule, ruleLength);
  w.varintField(3, mode);
  w.varintField(4, violation.enforced ? 1 : 0);
  w.repeatedString(5, violation.labels);
  w.stringField(6, write.producer, producerLength);
  w.stringField(7, write.sink, sinkLength);
  w.repeatedString(8, write.sources);
  w.stringField(9, write.purpose, purposeLength);
  w.varintField(10, point);
  w.stringField(11, violation.reason, reasonLength);
  return w.finish();
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
