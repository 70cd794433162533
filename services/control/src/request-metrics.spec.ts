import { forecastDrain, type DrainForecast } from "@flowzone/control";
import { createTelemetry } from "@flowzone/telemetry";

import { RequestMetrics } from "./request-metrics";

const NOW = Date.parse("2026-12-01T00:00:00Z");

function metricsWith(zones: { name: string; openViolations: number; drain: DrainForecast }[] = []): RequestMetrics {
  const listZones = () => Promise.resolve(zones as never);
  return new RequestMetrics(createTelemetry({ serviceName: "test" }), { listZones }, () => undefined);
}

describe("RequestMetrics", () => {
  it("counts requests per label set in the Prometheus text format", async () => {
    const metrics = metricsWith();
    metrics.countHttp("GET", "/v1/zones", 200);
    metrics.countHttp("GET", "/v1/zones", 200);
    metrics.countHttp("POST", "/v1/zones/{zone}/flip", 409);
    metrics.countGrpc("FlipZone", "PERMISSION_DENIED");
    const text = await metrics.render();
    expect(text).toContain(
      [
        "# HELP flowzone_control_http_requests_total HTTP requests to the control plane API, by method, route and status.",
        "# TYPE flowzone_control_http_requests_total counter",
        'flowzone_control_http_requests_total{method="GET",route="/v1/zones",status="200"} 2',
        'flowzone_control_http_requests_total{method="POST",route="/v1/zones/{zone}/flip",status="409"} 1',
        "# HELP flowzone_control_grpc_requests_total ZoneService gRPC calls, by method and status code.",
        "# TYPE flowzone_control_grpc_requests_total counter",
        'flowzone_control_grpc_requests_total{method="FlipZone",code="PERMISSION_DENIED"} 1',
      ].join("\n"),
    );
  });

  it("escapes label values", async () => {
    const metrics = metricsWith();
    metrics.countHttp("GET", 'a"b\\c', 404);
    expect(await metrics.render()).toContain('route="a\\"b\\\\c"');
  });

  it("exposes the open signatures, the pace and the drain date of each zone", async () => {
    // banana: 14 resolved and none opened in 7 days, 2 a day: its 3 open drain in 1.5 days.
    const metrics = metricsWith([
      { name: "banana", openViolations: 3, drain: forecastDrain({ nowMs: NOW, openSignatures: 3, openedInWindow: 0, resolvedInWindow: 14 }) },
      { name: "email", openViolations: 0, drain: forecastDrain({ nowMs: NOW, openSignatures: 0, openedInWindow: 0, resolvedInWindow: 0 }) },
    ]);
    const text = await metrics.render();
    expect(text).toContain('flowzone_backlog_open_signatures{zone="banana"} 3');
    expect(text).toContain('flowzone_backlog_open_signatures{zone="email"} 0');
    expect(text).toContain('flowzone_backlog_resolved_per_day{zone="banana"} 2');
    expect(text).toContain(`flowzone_backlog_projected_drain_timestamp_seconds{zone="banana"} ${(NOW + 1.5 * 86_400_000) / 1000}`);
    expect(text).not.toContain('flowzone_backlog_projected_drain_timestamp_seconds{zone="email"}');
  });
});
