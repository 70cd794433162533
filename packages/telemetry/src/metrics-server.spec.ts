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

  it("with a token, answers /metrics 401 without it and 200 with it, and leaves the probes open", async () => {
    const token = "scrape-token-0123456789abcdef";
    const probes = { "/healthz": () => ({ statusCode: 200, body: { status: "ok" } }) };
    const server = await serveMetrics(createTelemetry({ serviceName: "test" }), { host: "127.0.0.1", port: 0, logger: createLogger({ level: "silent" }), probes, token });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const without = await fetch(`${url}/metrics`);
      expect(without.status).toBe(401);
      expect(without.headers.get("www-authenticate")).toBe('Bearer realm="flowzone"');
      expect(await without.json()).toEqual({ error: { code: "unauthenticated", message: expect.stringContaining("FLOWZONE_METRICS_TOKEN_FILE") as unknown } });
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}-not` } })).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { method: "HEAD" })).status).toBe(401);
      const scraped = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain("target_info");
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("answers each probe with its status code and JSON body, and 404 names the paths it serves", async () => {
    const telemetry = createTelemetry({ serviceName: "test" });
    let ready = false;
    const probes = { "/readyz": () => ({ statusCode: ready ? 200 : 503, body: { status: ready ? "ready" : "not_ready" } }) };
    const server = await serveMetrics(telemetry, { host: "127.0.0.1", port: 0, logger: createLogger({ level: "silent" }), probes });
    try {
      const before = await fetch(`http://127.0.0.1:${server.port}/readyz`);
      expect(before.status).toBe(503);
      expect(before.headers.get("content-type")).toBe("application/json");
      expect(await before.json()).toEqual({ status: "not_ready" });
      ready = true;
      expect(await (await fetch(`http://127.0.0.1:${server.port}/readyz`)).json()).toEqual({ status: "ready" });
      const missing = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain("/metrics, /readyz");
    } finally {
      await server.close();
    }
  });
});
