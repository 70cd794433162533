// Bad input on every endpoint: unknown zone, bad mode, missing reason, malformed JSON, expired
// expiresAt, oversized bodies, unknown routes and methods, and a facade that breaks.
import { ControlError } from "@flowzone/control";
import { errorOf, startControlApi } from "./control-api-harness";
import type { ControlApi } from "./control-api-harness";

const FUTURE = new Date(Date.now() + 24 * 3600_000).toISOString();
const EXCEPTION = { producer: "svc:a", sink: "kafka:b", justification: "test", expiresAt: FUTURE };

let api: ControlApi;
beforeEach(async () => {
  api = await startControlApi({ maxBodyBytes: 64 * 1024 });
});
afterEach(async () => {
  await api.stop();
});

describe("HTTP API bad input", () => {
  it.each([
    ["GET", "/v1/zones/nope", undefined, "no zone named nope"],
    ["GET", "/v1/zones/nope/violations", undefined, "no zone named nope"],
    ["POST", "/v1/zones/nope/flip", { to: "logging", reason: "x" }, "no zone named nope"],
    ["POST", "/v1/zones/nope/exceptions", EXCEPTION, "no zone named nope"],
    ["DELETE", "/v1/exceptions/ex-404", undefined, "no exception with id ex-404"],
    ["POST", "/v1/violations/v-404/fixed", { note: "x" }, "no violation with id v-404"],
  ])("%s %s on an unknown target answers 404 not_found", async (method, path, body, message) => {
    const response = await api.request(method, path, { body });
    expect(response.status).toBe(404);
    expect(errorOf(response)).toEqual({ code: "not_found", message });
  });

  it.each([
    [{ to: "enforcing", reason: "x" }, "to", '"to" must be one of enforcement, logging, off, not "enforcing"'],
    [{ reason: "x" }, "to", '"to" is required: one of enforcement, logging, off'],
    [{ to: "logging" }, "reason", `"reason" is required: say why the zone changes mode; it is recorded in the zone's history`],
    [{ to: "enforcement", reason: "", force: true }, "reason", `"reason" is required: say why the zone changes mode; it is recorded in the zone's history`],
    [{ to: "logging", reason: "x", force: "yes" }, "force", '"force" must be true or false'],
  ])("flip with %j answers 400 naming %s", async (body, field, message) => {
    const response = await api.request("POST", "/v1/zones/banana/flip", { body });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toEqual({ code: "invalid_argument", message, field });
  });

  it.each([
    [{ ...EXCEPTION, expiresAt: "2001-01-01T00:00:00Z" }, "expiresAt", '"expiresAt" "2001-01-01T00:00:00Z" is in the past; an exception must expire in the future'],
    [{ ...EXCEPTION, expiresAt: "tomorrow" }, "expiresAt", '"expiresAt" must be an RFC 3339 time such as 2030-01-31T12:00:00Z, not "tomorrow"'],
    [{ ...EXCEPTION, justification: undefined }, "justification", '"justification" is required: say why the flow is allowed; auditors read it'],
    [{ ...EXCEPTION, expires_at: FUTURE }, "expires_at", 'unknown field "expires_at"; expected "producer", "sink", "justification", "expiresAt"'],
  ])("exception with %j answers 400 naming %s", async (body, field, message) => {
    const response = await api.request("POST", "/v1/zones/banana/exceptions", { body });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toEqual({ code: "invalid_argument", message, field });
  });

  it("passes the facade's own invalid_argument through as 400", async () => {
    const response = await api.request("POST", "/v1/zones/banana/exceptions", { body: { ...EXCEPTION, producer: "not a pattern" } });
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe("invalid_argument");
  });

  it.each([
    ["POST", "/v1/zones/banana/flip"],
    ["POST", "/v1/zones/banana/exceptions"],
    ["POST", "/v1/violations/v-1/fixed"],
    ["PUT", "/v1/policy"],
  ])("%s %s with malformed JSON answers 400 malformed_json", async (method, path) => {
    const response = await api.request(method, path, { rawBody: '{"to": "logging",' });
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe("malformed_json");
    expect(errorOf(response).message).toMatch(/^the request body is not valid JSON: /);
  });

  it.each([
    ["POST", "/v1/zones/banana/flip"],
    ["POST", "/v1/zones/banana/exceptions"],
    ["PUT", "/v1/policy"],
  ])("%s %s with an empty body or a JSON array answers 400", async (method, path) => {
    for (const rawBody of ["", "[]"]) {
      const response = await api.request(method, path, { rawBody });
      expect(response.status).toBe(400);
      expect(errorOf(response).message).toMatch(/^the request body must be a JSON object/);
    }
  });

  it.each([
    ["status=closed", "status", '"status" must be one of open, resolved, all, not "closed"'],
    ["limit=0", "limit", '"limit" must be an integer from 1 to 1000, not "0"'],
    ["limit=lots", "limit", '"limit" must be an integer from 1 to 1000, not "lots"'],
    ["page=2", "page", 'unknown query parameter "page"; expected "status", "limit", "cursor"'],
  ])("violations?%s answers 400 naming %s", async (query, field, message) => {
    const response = await api.request("GET", `/v1/zones/banana/violations?${query}`);
    expect(response.status).toBe(400);
    expect(errorOf(response)).toEqual({ code: "invalid_argument", message, field });
  });

  it.each([
    ["PUT", "/v1/policy", { files: { "a.yaml": "x".repeat(70 * 1024) } }],
    ["POST", "/v1/zones/banana/flip", { to: "logging", reason: "x".repeat(70 * 1024) }],
  ])("%s %s with a body over the limit answers 413 and changes nothing", async (method, path, body) => {
    const response = await api.request(method, path, { body });
    expect(response.status).toBe(413);
    expect(errorOf(response)).toEqual({ code: "payload_too_large", message: "the request body is larger than the limit of 65536 bytes" });
    expect(api.plane.changes).toEqual([]);
    // The connection stays usable for the next request.
    expect((await api.request("GET", "/v1/zones")).status).toBe(200);
  });

  // What a web page can make a browser send cross-site without a CORS preflight: a form post, a
  // text/plain body, or no content-type at all. Each target exists, so only the type refuses it.
  it.each([
    ["POST", "/v1/zones/email/flip", "to=off&reason=csrf"],
    ["POST", "/v1/zones/banana/exceptions", "producer=svc:a&sink=kafka:b&justification=x"],
    ["DELETE", "/v1/exceptions/ex-1", ""],
    ["POST", "/v1/violations/v-1/fixed", "note=csrf"],
    ["PUT", "/v1/policy", "files=x"],
  ])("%s %s as a form post, as text/plain or without a content-type answers 415 and changes nothing", async (method, path, form) => {
    const attempts: [string | undefined, string | undefined][] = [
      ["application/x-www-form-urlencoded", form],
      ["text/plain;charset=UTF-8", JSON.stringify({ to: "off", reason: "csrf", note: "csrf" })],
      [undefined, undefined],
    ];
    for (const [contentType, rawBody] of attempts) {
      const response = await api.request(method, path, rawBody === undefined ? { contentType } : { rawBody, contentType });
      expect(response.status).toBe(415);
      const got = contentType === undefined ? "no content-type" : `"${contentType}"`;
      expect(errorOf(response)).toEqual({ code: "unsupported_media_type", message: `${method} needs the header "content-type: application/json", even without a body; the request has ${got}` });
    }
    expect(api.plane.changes).toEqual([]);
    // The same request as JSON goes through: the refusal was the content-type's alone.
    expect((await api.request(method, path, method === "DELETE" ? {} : { body: {} })).status).not.toBe(415);
  });

  it("answers 404 for an unknown route and 405 with Allow for a known path with the wrong method", async () => {
    const unknown = await api.request("GET", "/v2/zones");
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)).toEqual({ code: "not_found", message: "no route GET /v2/zones; see GET /v1/openapi.json for the API" });
    const wrong = await api.request("DELETE", "/v1/zones/banana");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect(errorOf(wrong).code).toBe("method_not_allowed");
  });

  it("answers 503 unavailable when the control plane is, and 500 with a generic message for a bug, logging the cause", async () => {
    api.plane.failure = new ControlError("unavailable", "the database is unreachable");
    const unavailable = await api.request("GET", "/v1/zones");
    expect(unavailable.status).toBe(503);
    expect(errorOf(unavailable)).toEqual({ code: "unavailable", message: "the database is unreachable" });

    api.plane.failure = new TypeError("cannot read properties of undefined (reading 'rows')");
    const broken = await api.request("GET", "/v1/zones");
    expect(broken.status).toBe(500);
    expect(errorOf(broken)).toEqual({ code: "internal", message: "internal error in the control plane; it has been logged" });
    expect(broken.text).not.toContain("rows");
    expect(api.lines).toContainEqual(expect.objectContaining({ level: 50, msg: "unexpected error serving a request", err: expect.objectContaining({ message: expect.stringContaining("rows") as unknown }) as unknown }));
  });
});
