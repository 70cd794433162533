import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { AuditRecordSchema } from "@flowzone/proto";

import { decodeAuditRecord, epochOf } from "./convert-audit";

describe("epochOf", () => {
  it.each([
    ["sha256:abc@7", 7],
    ["sha256:abc@0", 0],
    ["sha256:abc@123456", 123456],
    ["sha256:abc", null],
    ["", null],
    ["sha256:abc@", null],
    ["sha256:abc@7x", null],
  ] as const)("reads the control epoch of %j as %j", (version, epoch) => {
    expect(epochOf(version)).toBe(epoch);
  });
});

describe("decodeAuditRecord", () => {
  it("keeps the epoch a violation was decided under, so a stale decision cannot reopen a remediation", () => {
    const record = create(AuditRecordSchema, {
      id: "d-1/0",
      time: timestampFromMs(1_700_000_000_000),
      zone: "banana",
      policyVersion: "sha256:abc@12",
      event: { case: "violation", value: { rule: "boundary", producer: "svc:app", sink: "svc:ads", labels: ["banana"] } },
    });
    expect(decodeAuditRecord(toBinary(AuditRecordSchema, record), 0).fact).toEqual({
      kind: "violation",
      zone: "banana",
      rule: "boundary",
      producer: "svc:app",
      sink: "svc:ads",
      labels: ["banana"],
      atMs: 1_700_000_000_000,
      epoch: 12,
    });
  });

  it("keeps the record's id, which makes counting it idempotent", () => {
    const record = create(AuditRecordSchema, { id: "d-7/1", zone: "banana", event: { case: "zoneTraffic", value: { decisions: 3n } } });
    expect(decodeAuditRecord(toBinary(AuditRecordSchema, record), 5).id).toBe("d-7/1");
  });

  // A refused claim decided nothing and wrote nothing: no zone's backlog owes it a remediation.
  // The security event lives on the audit topic for whoever watches identities, not in the backlog.
  it("does not count an identity mismatch as a violation", () => {
    const record = create(AuditRecordSchema, {
      id: "pdp-1-9",
      event: { case: "identityMismatch", value: { authenticatedIdentity: "svc:a", producer: "svc:b", sink: "svc:ads", method: "Check" } },
    });
    expect(decodeAuditRecord(toBinary(AuditRecordSchema, record), 0).fact).toEqual({ kind: "ignored", event: "identityMismatch" });
  });

  it("accepts a redriven record and leaves it to the audit trail: a re-drive forwards what was already counted, so the backlog learns nothing from it", () => {
    const record = create(AuditRecordSchema, {
      id: "redrive/out.quarantine/0/7",
      time: timestampFromMs(1_700_000_000_000),
      zone: "health",
      event: { case: "redriven", value: { route: "orders", target: "out", producer: "svc:app", sink: "kafka:out", labels: ["health"], actor: "alice@privacy" } },
    });
    const decoded = decodeAuditRecord(toBinary(AuditRecordSchema, record), 0);
    expect(decoded).toMatchObject({ id: "redrive/out.quarantine/0/7", fact: { kind: "ignored", event: "redriven" } });
    expect(decoded.entry).toMatchObject({ kind: "redriven", zone: "health", subject: "alice@privacy", summary: "alice@privacy re-drove a quarantined record of route orders from svc:app to out" });
  });
});
