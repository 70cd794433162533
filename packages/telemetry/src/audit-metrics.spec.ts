import { observeAuditTrail } from "./audit-metrics";
import { createTelemetry } from "./telemetry";

describe("observeAuditTrail", () => {
  it("reads the writer's stats at scrape time: depths as gauges, sent, set-aside and dropped as counters", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    let queued = 3;
    let spoolError: string | undefined = undefined;
    let reads = 0;
    const stop = observeAuditTrail(telemetry, "decision_service", () => ({ queued: (reads += 1, queued), spooledBytes: 120, spooledRecords: 2, sent: 9, setAside: 1, droppedByZone: { banana: 4 }, spoolError }));
    let text = await telemetry.render();
    expect(text).toContain("# TYPE flowzone_audit_queue_records gauge");
    expect(text).toContain('flowzone_audit_queue_records{source="decision_service"} 3');
    expect(text).toContain('flowzone_audit_spool_records{source="decision_service"} 2');
    expect(text).toContain('flowzone_audit_spool_bytes{source="decision_service"} 120');
    expect(text).toContain('flowzone_audit_spool_writable{source="decision_service"} 1');
    expect(text).toContain('flowzone_audit_sent_records_total{source="decision_service"} 9');
    expect(text).toContain('flowzone_audit_set_aside_records_total{source="decision_service"} 1');
    expect(text).toContain('flowzone_audit_dropped_records_total{source="decision_service",zone="banana"} 4');
    queued = 0;
    spoolError = "EFBIG: file too large, write";
    text = await telemetry.render();
    expect(text).toContain('flowzone_audit_queue_records{source="decision_service"} 0');
    expect(text).toContain('flowzone_audit_spool_writable{source="decision_service"} 0');
    expect(reads).toBe(2);
    stop();
    await telemetry.render();
    expect(reads).toBe(2);
  });
});
