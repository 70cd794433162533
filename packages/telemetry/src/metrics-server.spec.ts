import { createLogger } from "@flowzone/logging";

import { serveMetrics } from "./metrics-server";
import { createTelemetry, PROMETHEUS_CONTENT_TYPE } from "./telemetry";

describe("serveMetrics", () => {
  it("serves GET /metrics on a free port and 404 elsewhere", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    telemetry.meter.createCounter("flowzone_test_total").add(2);
    const server = await serveMetrics(telemetry, { host: "127.0.0.1", port: 0, logger: createLogger({ level: "silent" }) });
    try {
      expect(server.port).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
      const text = await response.text();
      expect(text).toContain("flowzone_test_total 2");
      expect(text).toContain('target_info{service_name="test"');
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
