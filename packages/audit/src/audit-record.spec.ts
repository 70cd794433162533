import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema, EnforcementPoint, Mode } from "@flowzone/proto";

import { encodeViolationAudit, type ViolationAudit } from "./audit-record";

/** The reflective encoding the hand-written one replaced: the reference for its bytes. */
function reference(audit: ViolationAudit, index: number): Uint8Array {
  const { violation, write } = audit;
  const modes = { off: Mode.OFF, logging: Mode.LOGGING, enforcement: Mode.ENFORCEMENT };
  const points = { decision_service: EnforcementPoint.DECISION_SERVICE, stream_enforcer: EnforcementPoint.STREAM_ENFORCER, sdk: EnforcementPoint.SDK };
  return toBinary(
    AuditRecordSchema,
    create(AuditRecordSchema, {
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
          mode: modes[violation.mode],
          enforced: violation.enforced,
          labels: [...violation.labels],
          producer: write.producer,
          sink: write.sink,
          sources: [...write.sources],
          purpose: write.purpose,
          enforcementPoint: points[audit.enforcementPoint],
          reason: violation.reason,
          ...(audit.position === undefined
            ? {}
            : { position: { topic: audit.position.topic, partition: audit.position.partition, offset: BigInt(audit.position.offset) } }),
          authenticatedIdentity: audit.authenticatedIdentity ?? "",
        },
      },
    }),
  );
}

const base: ViolationAudit = {
  decisionId: "route:3:12345",
  write: { producer: "svc:orders", sink: "kafka:analytics-events", labels: ["pii", "x"], sources: ["table:patients", "kafka:in"], purpose: "billing" },
  violation: { zone: "pii", rule: "boundary", mode: "logging", enforced: false, failMode: "open", labels: ["pii"], reason: "kafka:analytics-events is not a member of zone pii — ünïcödé ✓" },
  enforcementPoint: "stream_enforcer",
  policyVersion: "sha256:abc",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  timeMs: 1_763_771_234_567,
  position: { topic: "orders", partition: 3, offset: "12345" },
};

const nonAscii: ViolationAudit = {
  ...base,
  decisionId: "route:ß:1",
  write: { producer: "svc:zürich", sink: "kafka:日本-events", labels: ["pii"], sources: ["table:患者", "kafka:😀"], purpose: "facturación" },
  violation: { ...base.violation, zone: "zône", rule: "règle", labels: ["données", "😀"] },
  traceId: "ü",
  policyVersion: "sha256:ä",
  position: { topic: "tópico-😀", partition: 1, offset: "1" },
  authenticatedIdentity: "svc:ñ",
};

const allEmpty: ViolationAudit = {
  decisionId: "",
  write: { producer: "", sink: "", labels: [], sources: ["", ""], purpose: "" },
  violation: { zone: "", rule: "", mode: "off", enforced: false, failMode: "open", labels: [""], reason: "" },
  enforcementPoint: "decision_service",
  policyVersion: "",
  traceId: "",
  timeMs: 0,
};

const cases: [string, ViolationAudit, number][] = [
  ["a stream violation with every field set", base, 0],
  ["an enforced violation, second of its decision", { ...base, violation: { ...base.violation, mode: "enforcement", enforced: true } }, 1],
  ["empty strings and lists (proto3 defaults left out)", { ...base, traceId: "", write: { ...base.write, sources: [], purpose: "" }, violation: { ...base.violation, labels: [] } }, 2],
  ["no stream position (decision service)", { ...base, enforcementPoint: "decision_service", position: undefined }, 0],
  ["partition 0 and offset 0", { ...base, position: { topic: "t", partition: 0, offset: "0" } }, 0],
  ["a 64-bit offset", { ...base, position: { topic: "t", partition: 7, offset: "9007199254740993" } }, 0],
  ["a time on a whole second", { ...base, timeMs: 1_763_771_234_000 }, 0],
  ["time zero", { ...base, timeMs: 0 }, 0],
  ["an authenticated caller (decision service)", { ...base, enforcementPoint: "decision_service", position: undefined, authenticatedIdentity: "svc:flowzone-enforcer" }, 0],
  ["mode off, sdk", { ...base, enforcementPoint: "sdk", violation: { ...base.violation, mode: "off" } }, 3],
  ["non-ASCII in every string (2-, 3- and 4-byte UTF-8)", nonAscii, 0],
  ["every string empty, empty elements of repeated fields kept", allEmpty, 0],
  ["an empty authenticated identity (present, left out as proto3's default)", { ...base, position: undefined, authenticatedIdentity: "" }, 0],
  ["strings past 127 and 16,383 bytes (2- and 3-byte lengths)", { ...base, violation: { ...base.violation, reason: "r".repeat(200) }, write: { ...base.write, sink: "é".repeat(9_000) } }, 0],
  ["a large index", base, 2 ** 31],
  ["the latest time a Date holds", { ...base, timeMs: 8.64e15 }, 0],
  ["1 ms before 1970 (seconds -1, nanos 999,000,000)", { ...base, timeMs: -1 }, 0],
  ["a whole second before 1970", { ...base, timeMs: -1000 }, 0],
  ["1,001 ms before 1970", { ...base, timeMs: -1001 }, 0],
  ["the earliest time a Date holds", { ...base, timeMs: -8.64e15 }, 0],
  ["the largest safe offset", { ...base, position: { topic: "t", partition: 1, offset: "9007199254740991" } }, 0],
  ["the largest int64 offset", { ...base, position: { topic: "t", partition: 1, offset: "9223372036854775807" } }, 0],
  ["a negative offset (int64, ten bytes)", { ...base, position: { topic: "t", partition: 1, offset: "-1" } }, 0],
  ["the smallest int64 offset", { ...base, position: { topic: "t", partition: 1, offset: "-9223372036854775808" } }, 0],
  ["the largest int32 partition", { ...base, position: { topic: "t", partition: 2 ** 31 - 1, offset: "5" } }, 0],
  ["a negative partition (int32, ten bytes)", { ...base, position: { topic: "t", partition: -1, offset: "5" } }, 0],
  ["a position with an empty topic", { ...base, position: { topic: "", partition: 0, offset: "0" } }, 0],
];

describe("encodeViolationAudit", () => {
  it.each(cases)("writes exactly the bytes of toBinary: %s", (_name, audit, index) => {
    const encoded = encodeViolationAudit(audit, index);
    expect(Buffer.from(encoded.value).toString("hex")).toBe(Buffer.from(reference(audit, index)).toString("hex"));
    expect(encoded.key).toBe(audit.violation.zone);
  });

  it("writes toBinary's bytes when a recurring violation's write or enforcement point changes, and back", () => {
    // One frozen violation, as the engine hands out while it recurs: its encoded fields are kept
    // and must be encoded afresh whenever anything they were encoded from differs.
    const violation = Object.freeze({ ...base.violation, labels: Object.freeze(["pii", "health"]) });
    const frozenSources = Object.freeze(["kafka:in"]);
    const first: ViolationAudit = { ...base, violation };
    // Each differs from the first in one thing only, and is encoded between two of the first.
    const variants: ViolationAudit[] = [
      { ...first, decisionId: "route:3:12346", timeMs: base.timeMs + 1 },
      { ...first, write: { ...base.write, producer: "svc:billing" } },
      { ...first, write: { ...base.write, sink: "kafka:other" } },
      { ...first, write: { ...base.write, purpose: "" } },
      { ...first, write: { ...base.write, sources: ["table:patients", "kafka:out"] } },
      { ...first, write: { ...base.write, sources: ["table:patients"] } },
      { ...first, write: { ...base.write, sources: frozenSources } },
      { ...first, enforcementPoint: "decision_service" },
      { ...first, authenticatedIdentity: "svc:gateway", position: undefined },
    ];
    const sequence = [first, ...variants.flatMap((variant) => [variant, variant, first])];
    for (const [index, audit] of sequence.entries()) {
      expect([index, Buffer.from(encodeViolationAudit(audit, index).value).toString("hex")]).toEqual([index, Buffer.from(reference(audit, index)).toString("hex")]);
    }
  });

  it("encodes a violation that is not frozen afresh each time", () => {
    const violation = { ...base.violation };
    const first = encodeViolationAudit({ ...base, violation }, 0);
    violation.reason = "changed in place";
    const second = encodeViolationAudit({ ...base, violation }, 0);
    expect(Buffer.from(first.value).equals(second.value)).toBe(false);
    expect(Buffer.from(second.value).toString("hex")).toBe(Buffer.from(reference({ ...base, violation }, 0)).toString("hex"));
  });

  it("decodes back to the record's fields", () => {
    const record = fromBinary(AuditRecordSchema, encodeViolationAudit(base, 4).value);
    expect(record.id).toBe("route:3:12345/4");
    expect(record.event.case).toBe("violation");
    if (record.event.case !== "violation") return;
    expect(record.event.value.position?.offset).toBe(12345n);
    expect(record.event.value.sources).toEqual(["table:patients", "kafka:in"]);
    expect(record.event.value.authenticatedIdentity).toBe("");
  });

  it("carries the authenticated identity beside the claimed producer", () => {
    const record = fromBinary(AuditRecordSchema, encodeViolationAudit({ ...base, authenticatedIdentity: "svc:gateway" }, 0).value);
    if (record.event.case !== "violation") throw new Error(`expected a violation, got ${String(record.event.case)}`);
    expect({ producer: record.event.value.producer, authenticatedIdentity: record.event.value.authenticatedIdentity }).toEqual({ producer: "svc:orders", authenticatedIdentity: "svc:gateway" });
  });
});
