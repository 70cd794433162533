// Bearer-token auth of the HTTP API: every change endpoint without a token, with a viewer's and
// with a bad one; reads with any valid token; the open development mode.
import { ADMIN_TOKEN, errorOf, startControlApi, VIEWER_TOKEN } from "./control-api-harness";
import type { ControlApi } from "./control-api-harness";

const FUTURE = new Date(Date.now() + 24 * 3600_000).toISOString();

const CHANGES: readonly [string, string, unknown][] = [
  ["POST", "/v1/zones/email/flip", { to: "off", reason: "test" }],
  ["POST", "/v1/zones/banana/exceptions", { producer: "svc:a", sink: "kafka:b", justification: "test", expiresAt: FUTURE }],
  ["DELETE", "/v1/exceptions/ex-1", undefined],
  ["POST", "/v1/violations/v-1/fixed", { note: "test" }],
  ["PUT", "/v1/policy", { files: { "a.yaml": "kind: Label\nname: a\n" } }],
];

const READS: readonly string[] = ["/v1/zones", "/v1/zones/banana", "/v1/zones/banana/violations"];

let api: ControlApi;
beforeEach(async () => {
  api = await startControlApi();
});
afterEach(async () => {
  await api.stop();
});

describe("HTTP API auth", () => {
  it.each(CHANGES)("%s %s without a token answers 401 and changes nothing", async (method, path, body) => {
    const response = await api.request(method, path, { token: undefined, body });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="flowzone"');
    expect(errorOf(response)).toEqual({ code: "unauthenticated", message: "missing bearer token: send the header 'Authorization: Bearer <token>'" });
    expect(api.plane.changes).toEqual([]);
  });

  it.each(CHANGES)("%s %s with a viewer token answers 403 naming the subject and the role needed", async (method, path, body) => {
    const response = await api.request(method, path, { token: VIEWER_TOKEN, body });
    expect(response.status).toBe(403);
    expect(errorOf(response)).toEqual({ code: "permission_denied", message: "bob@eng has the role viewer; changes need the role privacy-admin" });
    expect(api.plane.changes).toEqual([]);
  });

  it.each(CHANGES)("%s %s with a bad token answers 401", async (method, path, body) => {
    const response = await api.request(method, path, { token: `${ADMIN_TOKEN}-forged`, body });
    expect(response.status).toBe(401);
    expect(errorOf(response)).toEqual({ code: "unauthenticated", message: "the bearer token is not valid" });
    expect(api.plane.changes).toEqual([]);
  });

  it("answers 401 for a header that is not a bearer token", async () => {
    const response = await fetch(`${api.baseUrl}/v1/zones`, { headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("malformed Authorization header: expected 'Bearer <token>'");
  });

  it.each(READS)("GET %s needs a token, and any valid one will do", async (path) => {
    expect((await api.request("GET", path, { token: undefined })).status).toBe(401);
    expect((await api.request("GET", path, { token: "not-a-token-at-all" })).status).toBe(401);
    expect((await api.request("GET", path, { token: VIEWER_TOKEN })).status).toBe(200);
    expect((await api.request("GET", path, { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it("records the admin token's subject as the actor of a change and logs it without the token", async () => {
    expect((await api.request("POST", "/v1/zones/email/flip", { body: { to: "off", reason: "test" } })).status).toBe(200);
    expect(api.plane.changes).toEqual([{ operation: "flip", target: "email", actor: "alice@privacy" }]);
    expect(api.lines).toContainEqual(expect.objectContaining({ msg: "change accepted", subject: "alice@privacy", route: "/v1/zones/{zone}/flip" }));
    expect(JSON.stringify(api.lines)).not.toContain(ADMIN_TOKEN);
  });
});

describe("HTTP API without a token file", () => {
  it("is open, acts as anonymous, and says so in a WARN line at start", async () => {
    const open = await startControlApi({ auth: false });
    try {
      expect(open.lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining("OPEN") as unknown }));
      const response = await open.request("POST", "/v1/zones/email/flip", { token: undefined, body: { to: "off", reason: "dev" } });
      expect(response.status).toBe(200);
      expect(open.plane.changes).toEqual([{ operation: "flip", target: "email", actor: "anonymous" }]);
    } finally {
      await open.stop();
    }
  });
});

describe("GET /metrics with a metrics token", () => {
  const METRICS_TOKEN = "scrape-token-0123456789abcdef";

  it("answers 401 without the token or with an API token, 200 with it; probes and the document stay open", async () => {
    const guarded = await startControlApi({ metricsToken: METRICS_TOKEN });
    try {
      const without = await guarded.request("GET", "/metrics", { token: undefined });
      expect(without.status).toBe(401);
      expect(without.headers.get("www-authenticate")).toBe('Bearer realm="flowzone"');
      expect(errorOf(without)).toEqual({
        code: "unauthenticated",
        message: "GET /metrics needs the metrics token: send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE",
      });
      expect(errorOf(await guarded.request("GET", "/metrics", { token: ADMIN_TOKEN }))).toEqual({ code: "unauthenticated", message: "the bearer token is not the metrics token" });
      const scraped = await guarded.request("GET", "/metrics", { token: METRICS_TOKEN });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain("# TYPE flowzone_control_http_requests_total counter");
      for (const path of ["/healthz", "/readyz", "/v1/openapi.json"]) expect((await guarded.request("GET", path, { token: undefined })).status).toBe(200);
      // The metrics token is no API token.
      expect((await guarded.request("GET", "/v1/zones", { token: METRICS_TOKEN })).status).toBe(401);
    } finally {
      await guarded.stop();
    }
  });
});
