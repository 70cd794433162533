import { ControlError } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import { httpErrorOf, INTERNAL_MESSAGE } from "./http-errors";
import { invalidField } from "./invalid-field";

describe("httpErrorOf", () => {
  it.each([
    [invalidField("to", "bad"), 400, { code: "invalid_argument", message: "bad", field: "to" }],
    [new FlowzoneError("malformed_json", "bad json"), 400, { code: "malformed_json", message: "bad json" }],
    [new FlowzoneError("unauthenticated", "who?"), 401, { code: "unauthenticated", message: "who?" }],
    [new FlowzoneError("permission_denied", "no"), 403, { code: "permission_denied", message: "no" }],
    [new FlowzoneError("not_found", "none"), 404, { code: "not_found", message: "none" }],
    [new FlowzoneError("method_not_allowed", "GET only"), 405, { code: "method_not_allowed", message: "GET only" }],
    [new FlowzoneError("payload_too_large", "big"), 413, { code: "payload_too_large", message: "big" }],
    [new FlowzoneError("unsupported_media_type", "json only"), 415, { code: "unsupported_media_type", message: "json only" }],
    [new ControlError("not_found", "no zone x"), 404, { code: "not_found", message: "no zone x" }],
    [new ControlError("invalid_argument", "bad pattern"), 400, { code: "invalid_argument", message: "bad pattern" }],
    [new ControlError("invalid_policy", "2 errors", { errors: ["a.yaml:1: x", "b.yaml:2: y"] }), 400, { code: "invalid_policy", message: "2 errors", errors: ["a.yaml:1: x", "b.yaml:2: y"] }],
    [new ControlError("not_drained", "not drained", { blockers: ["3 open"] }), 409, { code: "not_drained", message: "not drained", blockers: ["3 open"] }],
    [new ControlError("not_drained", "not drained", { blockers: ["3 open"], flowsNewlyDenied: 4 }), 409, { code: "not_drained", message: "not drained", blockers: ["3 open"], flowsNewlyDenied: 4 }],
    [new ControlError("payload_too_large", "record too large"), 413, { code: "payload_too_large", message: "record too large" }],
    [new ControlError("unavailable", "db down"), 503, { code: "unavailable", message: "db down" }],
  ])("%s answers %d", (error, status, body) => {
    const response = httpErrorOf(error);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: body });
    expect(response.internal).toBe(false);
  });

  it("asks for a bearer token on 401", () => {
    expect(httpErrorOf(new FlowzoneError("unauthenticated", "x")).headers).toEqual({ "www-authenticate": 'Bearer realm="flowzone"' });
  });

  it("names no field when several are at fault", () => {
    const error = new FlowzoneError("invalid_argument", "two bad", { fieldViolations: [{ field: "a", description: "x" }, { field: "b", description: "y" }] });
    expect(httpErrorOf(error).body).toEqual({ error: { code: "invalid_argument", message: "two bad" } });
  });

  it("asks a client to retry an unavailable control plane later", () => {
    expect(httpErrorOf(new ControlError("unavailable", "db down")).headers).toEqual({ "retry-after": "5" });
  });

  it.each<[string, unknown]>([
    ["anything else", new TypeError("secret detail")],
    ["an internal FlowzoneError", new FlowzoneError("internal", "secret detail")],
  ])("answers %s 500 without leaking its message", (_name, error) => {
    expect(httpErrorOf(error)).toEqual({ status: 500, headers: {}, body: { error: { code: "internal", message: INTERNAL_MESSAGE } }, internal: true });
  });
});
