import { RequestMetrics } from "./request-metrics";

describe("RequestMetrics", () => {
  it("counts requests per label set in the Prometheus text format", () => {
    const metrics = new RequestMetrics();
    metrics.countHttp("GET", "/v1/zones", 200);
    metrics.countHttp("GET", "/v1/zones", 200);
    metrics.countHttp("POST", "/v1/zones/{zone}/flip", 409);
    metrics.countGrpc("FlipZone", "PERMISSION_DENIED");
    expect(metrics.render()).toBe(
      [
        "# HELP flowzone_control_http_requests_total HTTP requests to the control plane API, by method, route and status.",
        "# TYPE flowzone_control_http_requests_total counter",
        'flowzone_control_http_requests_total{method="GET",route="/v1/zones",status="200"} 2',
        'flowzone_control_http_requests_total{method="POST",route="/v1/zones/{zone}/flip",status="409"} 1',
        "# HELP flowzone_control_grpc_requests_total ZoneService gRPC calls, by method and status code.",
        "# TYPE flowzone_control_grpc_requests_total counter",
        'flowzone_control_grpc_requests_total{method="FlipZone",code="PERMISSION_DENIED"} 1',
        "",
      ].join("\n"),
    );
  });

  it("escapes label values", () => {
    const metrics = new RequestMetrics();
    metrics.countHttp("GET", 'a"b\\c', 404);
    expect(metrics.render()).toContain('route="a\\"b\\\\c"');
  });
});
