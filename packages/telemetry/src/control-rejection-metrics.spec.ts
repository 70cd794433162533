import { observeControlRejections } from "./control-rejection-metrics";
import { createTelemetry } from "./telemetry";

describe("observeControlRejections", () => {
  it("counts rejected control records by source and reason, read at scrape time; two followers of one process apart", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const pdp: Record<string, number> = {};
    let reads = 0;
    const stopPdp = observeControlRejections(telemetry, "decision_service", () => ((reads += 1), pdp));
    const stopEnforcer = observeControlRejections(telemetry, "enforcer", () => ({ unsigned: 1 }));
    expect(await telemetry.render()).not.toContain('flowzone_control_records_rejected_total{source="decision_service"');
    pdp["unsigned"] = 2;
    pdp["unknown_key"] = 1;
    const text = await telemetry.render();
    expect(text).toContain("# TYPE flowzone_control_records_rejected_total counter");
    expect(text).toContain('flowzone_control_records_rejected_total{source="decision_service",reason="unsigned"} 2');
    expect(text).toContain('flowzone_control_records_rejected_total{source="decision_service",reason="unknown_key"} 1');
    expect(text).toContain('flowzone_control_records_rejected_total{source="enforcer",reason="unsigned"} 1');
    expect(reads).toBe(2);
    stopPdp();
    stopEnforcer();
    await telemetry.render();
    expect(reads).toBe(2);
  });
});
