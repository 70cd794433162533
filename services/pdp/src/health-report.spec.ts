import { healthProbes } from "@flowzone/telemetry";

import { healthReport, NO_BROKERS } from "./health-report";

const unverified = { verified: false, total: 0, byReason: {}, last: undefined };
const stats = { queued: 0, spooledBytes: 0, spooledRecords: 0, sent: 0, setAside: 0, dropped: 0, droppedByZone: {}, degraded: false, lastError: undefined, spoolError: undefined };

describe("the decision service's health report", () => {
  it("without brokers is ready and says that audit and the control topic (flips) are off", () => {
    expect(healthReport("v1", { state: "off" }, unverified, undefined)).toEqual({
      status: "ready",
      policyVersion: "v1",
      audit: { state: "off", detail: NO_BROKERS.audit },
      controlTopic: { state: "off", detail: NO_BROKERS.controlTopic },
    });
  });

  it("is not ready until the control topic has been read, and says the audit trail spools", () => {
    const report = healthReport("v1", { state: "waiting", attempts: 3, lastError: "Connection error" }, unverified, { ...stats, degraded: true, spooledRecords: 2, lastError: "Connection error" });
    expect(report).toMatchObject({
      status: "not_ready",
      audit: { state: "spooling", spooledRecords: 2 },
      controlTopic: { state: "waiting", attempts: 3, lastError: "Connection error" },
    });
    expect(healthProbes(() => report)["/readyz"]?.()).toEqual({ statusCode: 503, body: report });
    expect(healthProbes(() => report)["/healthz"]?.()).toEqual({ statusCode: 200, body: report });
  });

  it("is not ready while its audit spool cannot write, and says what the write failed with", () => {
    const report = healthReport("v1", { state: "read" }, unverified, { ...stats, spooledRecords: 5, spoolError: "EFBIG: file too large, write" });
    expect(report).toMatchObject({ status: "not_ready", audit: { state: "unwritable", spooledRecords: 5, lastError: "EFBIG: file too large, write", detail: expect.stringContaining("cannot write") as unknown } });
    expect(healthProbes(() => report)["/readyz"]?.()).toMatchObject({ statusCode: 503 });
  });

  it("is ready once the control topic has been read", () => {
    const report = healthReport("v1", { state: "read" }, unverified, stats);
    expect(report).toMatchObject({ status: "ready", audit: { state: "writing" }, controlTopic: { state: "read", signatures: { verified: false, detail: expect.stringContaining("FLOWZONE_CONTROL_VERIFY_KEYS") as unknown } } });
    expect(healthProbes(() => report)["/readyz"]?.()).toMatchObject({ statusCode: 200 });
  });

  it("stays ready with rejected control records, and names the latest: they were not applied", () => {
    const last = { topic: "t", partition: 0, offset: "7", key: "zone/crm", reason: "unknown_key" as const, keyId: "sha256:ab", detail: "key sha256:ab is not among the verify keys", atMs: Date.UTC(2025, 0, 2) };
    const report = healthReport("v1", { state: "read" }, { verified: true, total: 3, byReason: { unsigned: 2, unknown_key: 1 }, last }, stats);
    expect(report.status).toBe("ready");
    expect(report.controlTopic).toEqual({
      state: "read",
      signatures: {
        verified: true,
        rejectedRecords: 3,
        rejectedByReason: { unsigned: 2, unknown_key: 1 },
        lastRejected: { key: "zone/crm", partition: 0, offset: "7", reason: "unknown_key", keyId: "sha256:ab", detail: last.detail, at: "2025-01-02T00:00:00.000Z" },
      },
    });
    expect(healthProbes(() => report)["/readyz"]?.()).toMatchObject({ statusCode: 200 });
  });
});
