// Every endpoint of docs/reference/http-api.md answering its happy path through the real HTTP server.
import { startControlApi } from "./control-api-harness";
import type { ControlApi } from "./control-api-harness";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const FUTURE = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();

let api: ControlApi;
beforeEach(async () => {
  api = await startControlApi();
});
afterEach(async () => {
  await api.stop();
});

describe("control plane HTTP API", () => {
  it("GET /v1/zones lists every zone with the contract's camelCase keys and RFC 3339 times", async () => {
    const response = await api.request("GET", "/v1/zones");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const { zones } = response.json as { zones: Record<string, unknown>[] };
    expect(zones.map((z) => z["name"])).toEqual(["banana", "email"]);
    expect(Object.keys(zones[0] ?? {}).sort()).toEqual(
      ["drain", "drained", "effectiveMode", "failMode", "lastViolationAt", "mode", "name", "openViolations", "owners", "readyToEnforce", "violationsNotStored"].sort(),
    );
    expect(zones[0]?.["drain"]).toEqual({ state: "not_draining", resolvedPerDay: 0, openedPerDay: 0, projectedDrainAt: null, windowDays: 7 });
    expect(zones[1]?.["drain"]).toMatchObject({ state: "drained", projectedDrainAt: null });
    expect(zones[0]).toMatchObject({ mode: "logging", openViolations: 2, violationsNotStored: 7, drained: false, owners: ["privacy-banana"] });
    expect(zones[0]?.["lastViolationAt"]).toMatch(RFC3339);
    expect(zones[1]?.["lastViolationAt"]).toBeNull();
  });

  it("GET /v1/zones/{zone} adds readiness, top open flows, exceptions and history", async () => {
    const response = await api.request("GET", "/v1/zones/banana");
    expect(response.status).toBe(200);
    const zone = response.json as Record<string, unknown>;
    expect(zone).toMatchObject({
      name: "banana",
      violationsNotStored: 7,
      readiness: { ready: false, decisionsInQuietPeriod: 1200, blockers: expect.arrayContaining(["2 violation signatures are still open"]) as unknown },
      exceptions: [],
      history: [],
    });
    expect((zone["readiness"] as Record<string, unknown>)["quietPeriodEndsAt"]).toMatch(RFC3339);
    expect(zone["topOpenFlows"]).toEqual([
      { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"], count: 42 },
      { producer: "svc:banana-app", sink: "svc:ads-ranker", labels: ["banana"], count: 42 },
    ]);
  });

  it("GET /v1/zones/{zone}/violations filters by status and limit (default: all)", async () => {
    const all = await api.request("GET", "/v1/zones/banana/violations");
    expect(all.status).toBe(200);
    const violations = (all.json as { violations: Record<string, unknown>[] }).violations;
    expect(violations.map((v) => v["id"])).toEqual(["v-1", "v-2", "v-3"]);
    expect(violations[2]).toMatchObject({ status: "resolved", resolution: "policy_change", reopened: 0, count: 42, rule: "boundary" });
    expect(violations[0]?.["firstSeen"]).toMatch(RFC3339);

    const open = await api.request("GET", "/v1/zones/banana/violations?status=open&limit=1");
    expect((open.json as { violations: { id: string }[] }).violations.map((v) => v.id)).toEqual(["v-1"]);
    const resolved = await api.request("GET", "/v1/zones/banana/violations?status=resolved");
    expect((resolved.json as { violations: { id: string }[] }).violations.map((v) => v.id)).toEqual(["v-3"]);
  });

  it("POST /v1/zones/{zone}/flip answers 200 with the new zone and records the token's subject", async () => {
    const response = await api.request("POST", "/v1/zones/email/flip", { body: { to: "enforcement", reason: "drained for a week" } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ name: "email", mode: "enforcement" });
    expect(api.plane.changes).toEqual([{ operation: "flip", target: "email", actor: "alice@privacy" }]);
    const detail = await api.request("GET", "/v1/zones/email");
    expect((detail.json as { history: unknown[] }).history).toEqual([
      { from: "logging", to: "enforcement", actor: "alice@privacy", reason: "drained for a week", forced: false, automatic: false, at: expect.stringMatching(RFC3339) as unknown },
    ]);
  });

  it("refuses a flip to enforcement before the zone drained with 409 not_drained, every blocker and the flows it would newly deny", async () => {
    api.plane.flowsNewlyDenied = 3;
    const response = await api.request("POST", "/v1/zones/banana/flip", { body: { to: "enforcement", reason: "try" } });
    expect(response.status).toBe(409);
    expect(response.json).toEqual({
      error: {
        code: "not_drained",
        message: "zone banana is not drained, so it cannot enforce yet",
        blockers: ["2 violation signatures are still open", "the last violation was seen 3 minutes ago; the quiet period of 24h has not passed"],
        flowsNewlyDenied: 3,
      },
    });
  });

  it("lets force with a reason override, and back to logging or off always", async () => {
    api.plane.flowsNewlyDenied = 3;
    const forced = await api.request("POST", "/v1/zones/banana/flip", { body: { to: "enforcement", reason: "incident 42", force: true } });
    expect(forced.status).toBe(200);
    expect(forced.json).toMatchObject({ mode: "enforcement", flowsNewlyDenied: 3 });
    for (const to of ["logging", "off"]) {
      const back = await api.request("POST", "/v1/zones/banana/flip", { body: { to, reason: "rollback" } });
      expect(back.status).toBe(200);
      expect(back.json).toMatchObject({ mode: to, flowsNewlyDenied: 0 });
    }
  });

  it("POST /v1/zones/{zone}/exceptions answers 201 with the exception and its id; DELETE /v1/exceptions/{id} answers 204", async () => {
    const body = { producer: "svc:banana-app", sink: "kafka:export-daily", justification: "quarterly export, ticket PRIV-12", expiresAt: FUTURE };
    const created = await api.request("POST", "/v1/zones/banana/exceptions", { body });
    expect(created.status).toBe(201);
    const exception = created.json as Record<string, unknown>;
    expect(exception).toEqual({ id: "ex-1", zone: "banana", ...body, approver: "alice@privacy", createdAt: expect.stringMatching(RFC3339) as unknown });

    const revoked = await api.request("DELETE", "/v1/exceptions/ex-1");
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe("");
    expect((await api.request("DELETE", "/v1/exceptions/ex-1")).status).toBe(404);
  });

  it("POST /v1/violations/{id}/fixed resolves the signature as fixed, with or without a note", async () => {
    const response = await api.request("POST", "/v1/violations/v-1/fixed", { body: { note: "producer patched" } });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ id: "v-1", status: "resolved", resolution: "fixed" });
    expect((await api.request("POST", "/v1/violations/v-2/fixed")).status).toBe(200);
  });

  it("PUT /v1/policy publishes a valid bundle and answers its version", async () => {
    const response = await api.request("PUT", "/v1/policy", { body: { files: { "labels.yaml": "kind: Label\nname: banana\n" } } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ version: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown });
  });

  it("PUT /v1/policy refuses an invalid bundle with 400 invalid_policy and every file:line error", async () => {
    const files = { "a.yaml": "kind: Label\nname: banana\ncolour: yellow\n", "zones/z.yaml": "kind: Zone\nname: z\nprotects: [nope]\n" };
    const response = await api.request("PUT", "/v1/policy", { body: { files } });
    expect(response.status).toBe(400);
    const error = (response.json as { error: { code: string; errors: string[] } }).error;
    expect(error.code).toBe("invalid_policy");
    expect(error.errors.length).toBeGreaterThanOrEqual(2);
    expect(error.errors.some((e) => /^a\.yaml:3: /.test(e))).toBe(true);
    expect(error.errors.some((e) => /^zones\/z\.yaml:\d+: /.test(e))).toBe(true);
  });

  it("serves /healthz, /readyz and /metrics without a token", async () => {
    expect(await api.request("GET", "/healthz", { token: undefined })).toMatchObject({ status: 200, json: { status: "ok" } });
    expect(await api.request("GET", "/readyz", { token: undefined })).toMatchObject({ status: 200, json: { status: "ready" } });
    await api.request("GET", "/v1/zones/nope");
    const metrics = await api.request("GET", "/metrics", { token: undefined });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(metrics.text).toContain("# TYPE flowzone_control_http_requests_total counter");
    expect(metrics.text).toContain('flowzone_control_http_requests_total{method="GET",route="/v1/zones/{zone}",status="404"} 1');
  });
});

describe("readiness", () => {
  it("/readyz answers 503 until the control plane is ready, /healthz 200 all along", async () => {
    let ready = false;
    const notYet = await startControlApi({ isReady: () => ready });
    try {
      expect((await notYet.request("GET", "/readyz")).status).toBe(503);
      expect((await notYet.request("GET", "/healthz")).status).toBe(200);
      ready = true;
      expect((await notYet.request("GET", "/readyz")).status).toBe(200);
    } finally {
      await notYet.stop();
    }
  });
});
