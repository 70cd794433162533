import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema, EnforcementPoint, Mode, type AuditRecord } from "@flowzone/proto";

import { auditEntryOf } from "./convert-audit-entry";

const AT = Date.parse("2026-11-04T15:00:00Z");

type EventInit = MessageInitShape<typeof AuditRecordSchema>["event"];

function record(zone: string, event: EventInit): AuditRecord {
  return create(AuditRecordSchema, { id: "r-1", time: timestampFromMs(AT), zone, policyVersion: "sha256:abc@3", event });
}

describe("auditEntryOf", () => {
  it("says who wrote what where for a violation, and names the decision service that decided it by its decision id", () => {
    const violation = record("pii", {
      case: "violation",
      value: { decisionId: "3f9a-1z", rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true, labels: ["pii.phone", "pii.email"], producer: "svc:sync", sink: "kafka:ads", enforcementPoint: EnforcementPoint.DECISION_SERVICE, authenticatedIdentity: "svc:sync" },
    });
    expect(auditEntryOf(violation, AT)).toEqual({
      recordId: "r-1",
      zone: "pii",
      atMs: AT,
      kind: "violation",
      producer: "svc:sync",
      sink: "kafka:ads",
      labels: ["pii.email", "pii.phone"],
      enforced: true,
      enforcementPoint: "decision_service",
      reporter: "pdp-3f9a",
      subject: "svc:sync",
      policyVersion: "sha256:abc@3",
      summary: "svc:sync wrote pii.email, pii.phone to kafka:ads, breaking pii/boundary (enforcement, denied)",
    });
  });

  it("names no reporter for the enforcer, whose decision ids name a route", () => {
    const violation = record("pii", { case: "violation", value: { decisionId: "orders:0:7", rule: "boundary", mode: Mode.LOGGING, producer: "svc:a", sink: "kafka:b", enforcementPoint: EnforcementPoint.STREAM_ENFORCER } });
    expect(auditEntryOf(violation, AT)).toMatchObject({ enforcementPoint: "stream_enforcer", reporter: null, subject: null });
  });

  it.each([
    [
      "a forced flip",
      { case: "zoneFlip", value: { from: Mode.LOGGING, to: Mode.ENFORCEMENT, actor: "alice", reason: "rollout", forced: true } },
      { kind: "zone_flip", subject: "alice", producer: null, summary: "alice flipped pii from logging to enforcement (forced): rollout" },
    ],
    [
      "an automatic flip",
      { case: "zoneFlip", value: { from: Mode.LOGGING, to: Mode.ENFORCEMENT, actor: "flowzone", reason: "autoEnforce", automatic: true } },
      { kind: "zone_flip", summary: "flowzone flipped pii from logging to enforcement (automatically): autoEnforce" },
    ],
    [
      "an exception expiring",
      { case: "exceptionExpired", value: { producer: "svc:a", sink: "kafka:b", actor: "flowzone", expiresAt: timestampFromMs(AT) } },
      { kind: "exception_expired", producer: "svc:a", sink: "kafka:b", summary: "the exception for svc:a to kafka:b expired at 2026-11-04T15:00:00.000Z" },
    ],
    [
      "a fix",
      { case: "violationFixed", value: { rule: "no-export", producer: "svc:a", sink: "kafka:b", labels: ["pii"], note: "moved", actor: "bob" } },
      { kind: "violation_fixed", labels: ["pii"], subject: "bob", summary: "bob marked svc:a to kafka:b (pii/no-export) fixed: moved" },
    ],
  ] as [string, EventInit, object][])("sums up %s in a sentence", (_, event, expected) => {
    expect(auditEntryOf(record("pii", event), AT)).toMatchObject(expected);
  });

  it("lists no record of no zone: a pushed policy, a refused identity", () => {
    expect(auditEntryOf(record("", { case: "policyPushed", value: { version: "sha256:abc", actor: "alice", fileCount: 2 } }), AT)).toBeNull();
    expect(auditEntryOf(record("", { case: "identityMismatch", value: { authenticatedIdentity: "svc:a", producer: "svc:b" } }), AT)).toBeNull();
  });
});
