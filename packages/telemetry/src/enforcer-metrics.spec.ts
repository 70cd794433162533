import { EnforcerMetrics } from "./enforcer-metrics";
import { createTelemetry } from "./telemetry";

describe("EnforcerMetrics", () => {
  it("counts records by outcome and sums the lag of a route's partitions", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    const metrics = new EnforcerMetrics(telemetry);
    metrics.countRecords("forwarded", 5);
    metrics.countRecords("quarantined", 2);
    metrics.countRecords("malformed", 1);
    metrics.recordLag("orders", 0, "100", "89");
    metrics.recordLag("orders", 1, "50", "49");
    metrics.recordLag("orders", 0, "100", "94");
    const text = await telemetry.render();
    expect(text).toContain('flowzone_enforcer_records_total{outcome="forwarded"} 5');
    expect(text).toContain('flowzone_enforcer_records_total{outcome="quarantined"} 2');
    expect(text).toContain('flowzone_enforcer_records_total{outcome="malformed"} 1');
    expect(text).not.toContain('outcome="observed"');
    expect(text).toContain("# TYPE flowzone_enforcer_consumer_lag_records gauge");
    expect(text).toContain('flowzone_enforcer_consumer_lag_records{route="orders"} 5');
  });
});
