import { createTelemetry } from "@flowzone/telemetry";

import { RequestMetrics } from "./request-metrics";

function metricsWith(zones: { name: string; openViolations: number }[] = []): RequestMetrics {
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

  it("exposes the open signatures of each zone", async () => {
    const metrics = metricsWith([
      { name: "banana", openViolations: 3 },
      { name: "email", openViolations: 0 },
    ]);
    const text = await metrics.render();
    expect(text).toContain('flowzone_backlog_open_signatures{zone="banana"} 3');
    expect(text).toContain('flowzone_backlog_open_signatures{zone="email"} 0');
  });
});
