import { fromBinary } from "@bufbuild/protobuf";
import type { EncodedAuditRecord, OfferResult } from "@flowzone/audit";
import { AuditRecordSchema } from "@flowzone/proto";
import type { Decision, Violation, Write } from "@flowzone/engine";

import { auditDecision } from "./audit-decision";

const write: Write = { producer: "svc:a", sink: "svc:b", labels: ["banana"], sources: [], purpose: "" };
const context = { decisionId: "d-1", policyVersion: "sha256:ab@0", traceId: "" };
const violation = (zone: string, failMode: "open" | "closed", enforced = false): Violation => ({
  zone,
  rule: "boundary",
  mode: enforced ? "enforcement" : "logging",
  enforced,
  failMode,
  labels: ["banana"],
  reason: "Not allowed.",
});

/** A trail that keeps or refuses everything: the fail-posture logic is what is under test. */
function trail(result: OfferResult): { offer(records: readonly EncodedAuditRecord[]): OfferResult; offered: EncodedAuditRecord[] } {
  const offered: EncodedAuditRecord[] = [];
  return {
    offered,
    offer(records) {
      offered.push(...records);
      return result;
    },
  };
}

describe("auditing a decision", () => {
  it.each([
    ["an authenticated caller beside the claimed producer", "svc:gateway", "svc:gateway"],
    ["no identity when callers are not authenticated", undefined, ""],
  ])("records %s", (_name, authenticatedIdentity, recorded) => {
    const kept = trail({ accepted: true, durable: Promise.resolve() });
    auditDecision(kept, write, { allow: true, violations: [violation("banana", "open")] }, { ...context, authenticatedIdentity });
    const record = fromBinary(AuditRecordSchema, kept.offered[0]?.value ?? Buffer.alloc(0));
    expect(record.event.case === "violation" && { producer: record.event.value.producer, identity: record.event.value.authenticatedIdentity }).toEqual({ producer: "svc:a", identity: recorded });
  });

  it("offers one record per violation, keyed by zone, leaves the decision as it was, and hands on the flush to await", () => {
    const decision: Decision = { allow: true, violations: [violation("banana", "open"), violation("pii", "closed")] };
    const durable = Promise.resolve();
    const kept = trail({ accepted: true, durable });
    const audited = auditDecision(kept, write, decision, context);
    expect(audited.decision).toBe(decision);
    expect(audited.durable).toBe(durable);
    expect(kept.offered.map((r) => r.key)).toEqual(["banana", "pii"]);
  });

  it("offers nothing for a decision without violations", () => {
    const kept = trail({ accepted: true, durable: Promise.resolve() });
    expect(auditDecision(kept, write, { allow: true, violations: [] }, context).durable).toBeUndefined();
    expect(kept.offered).toEqual([]);
  });

  it("lets a logging violation through when the trail is full and the zone fails open", () => {
    const decision: Decision = { allow: true, violations: [violation("banana", "open")] };
    expect(auditDecision(trail({ accepted: false, reason: "spool_full" }), write, decision, context)).toEqual({ decision, durable: undefined });
  });

  it.each([
    ["spool_full", "its spool is full"],
    ["spool_unwritable", "its spool cannot be written"],
    ["closed", "it is shutting down"],
  ] as const)("denies when the trail refuses (%s) and a violated zone fails closed, saying why", (reason, because) => {
    const decision: Decision = { allow: true, violations: [violation("banana", "open"), violation("health", "closed")] };
    const result = auditDecision(trail({ accepted: false, reason }), write, decision, context).decision;
    expect(result.allow).toBe(false);
    expect(result.violations[0]).toEqual(decision.violations[0]);
    expect(result.violations[1]).toMatchObject({ zone: "health", enforced: true });
    expect(result.violations[1]?.reason).toContain(`audit trail cannot keep this record (${because}) and zone health fails closed`);
  });

  it("keeps a confirmed deny a deny whatever the trail says", () => {
    const decision: Decision = { allow: false, violations: [violation("banana", "open", true)] };
    expect(auditDecision(trail({ accepted: false, reason: "closed" }), write, decision, context).decision.allow).toBe(false);
  });
});

describe("auditDecision's fail posture counts", () => {
  it("counts each unkept violation as fail-open or fail-closed by its rule's posture", () => {
    const counted: string[] = [];
    const failures = { recordAuditFailure: (zone: string, failMode: "open" | "closed") => void counted.push(`${zone}:${failMode}`) };
    const full = { offer: () => ({ accepted: false as const, reason: "spool_full" as const }) };
    const write = { producer: "svc:a", sink: "svc:b", labels: ["x"], sources: [], purpose: "" };
    const violation = { zone: "z", rule: "boundary", mode: "logging" as const, enforced: false, labels: ["x"], reason: "r." };
    const decision = { allow: true, violations: [violation, { ...violation, zone: "y", failMode: "closed" as const }].map((v) => ({ failMode: "open" as const, ...v })) };
    const result = auditDecision(full, write, decision, { decisionId: "d", policyVersion: "v", traceId: "" }, failures).decision;
    expect(result.allow).toBe(false);
    expect(counted).toEqual(["z:open", "y:closed"]);
  });
});
