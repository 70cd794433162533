import { observeFlowReports } from "./flow-report-metrics";
import { createTelemetry } from "./telemetry";

describe("observeFlowReports", () => {
  it("reads the reporter's stats at scrape time as counters by source, and stops when told", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    let overBound = 5;
    let reads = 0;
    const stop = observeFlowReports(telemetry, "enforcer", () => ((reads += 1), { sentRecords: 12, overBound, failedSends: 2 }));
    let text = await telemetry.render();
    expect(text).toContain("# TYPE flowzone_flow_report_over_bound_total counter");
    expect(text).toContain('flowzone_flow_reports_sent_total{source="enforcer"} 12');
    expect(text).toContain('flowzone_flow_report_over_bound_total{source="enforcer"} 5');
    expect(text).toContain('flowzone_flow_report_send_failures_total{source="enforcer"} 2');
    overBound = 9;
    text = await telemetry.render();
    expect(text).toContain('flowzone_flow_report_over_bound_total{source="enforcer"} 9');
    stop();
    await telemetry.render();
    expect(reads).toBe(2);
  });
});
