import { healthProbes, healthReport, NO_BROKERS } from "./health-report";

const stats = { queued: 0, spooledBytes: 0, spooledRecords: 0, sent: 0, setAside: 0, dropped: 0, droppedByZone: {}, degraded: false, lastError: undefined };

describe("the decision service's health report", () => {
  it("without brokers is ready and says that audit and the control topic (flips) are off", () => {
    expect(healthReport("v1", { state: "off" }, undefined)).toEqual({
      status: "ready",
      policyVersion: "v1",
      audit: { state: "off", detail: NO_BROKERS.audit },
      controlTopic: { state: "off", detail: NO_BROKERS.controlTopic },
    });
  });

  it("is not ready until the control topic has been read, and says the audit trail spools", () => {
    const report = healthReport("v1", { state: "waiting", attempts: 3, lastError: "Connection error" }, { ...stats, degraded: true, spooledRecords: 2, lastError: "Connection error" });
    expect(report).toMatchObject({
      status: "not_ready",
      audit: { state: "spooling", spooledRecords: 2 },
      controlTopic: { state: "waiting", attempts: 3, lastError: "Connection error" },
    });
    expect(healthProbes(() => report)["/readyz"]?.()).toEqual({ statusCode: 503, body: report });
    expect(healthProbes(() => report)["/healthz"]?.()).toEqual({ statusCode: 200, body: report });
  });

  it("is ready once the control topic has been read", () => {
    const report = healthReport("v1", { state: "read" }, stats);
    expect(report).toMatchObject({ status: "ready", audit: { state: "writing" }, controlTopic: { state: "read" } });
    expect(healthProbes(() => report)["/readyz"]?.()).toMatchObject({ statusCode: 200 });
  });
});
