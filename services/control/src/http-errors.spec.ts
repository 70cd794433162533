import { ControlError } from "@flowzone/control";
import { ApiError } from "./api-error";
import { httpErrorOf, INTERNAL_MESSAGE } from "./http-errors";

describe("httpErrorOf", () => {
  it.each([
    [new ApiError("invalid_argument", "bad", "to"), 400, { code: "invalid_argument", message: "bad", field: "to" }],
    [new ApiError("malformed_json", "bad json"), 400, { code: "malformed_json", message: "bad json" }],
    [new ApiError("unauthenticated", "who?"), 401, { code: "unauthenticated", message: "who?" }],
    [new ApiError("permission_denied", "no"), 403, { code: "permission_denied", message: "no" }],
    [new ApiError("not_found", "none"), 404, { code: "not_found", message: "none" }],
    [new ApiError("method_not_allowed", "GET only"), 405, { code: "method_not_allowed", message: "GET only" }],
    [new ApiError("payload_too_large", "big"), 413, { code: "payload_too_large", message: "big" }],
    [new ControlError("not_found", "no zone x"), 404, { code: "not_found", message: "no zone x" }],
    [new ControlError("invalid_argument", "bad pattern"), 400, { code: "invalid_argument", message: "bad pattern" }],
    [new ControlError("invalid_policy", "2 errors", { errors: ["a.yaml:1: x", "b.yaml:2: y"] }), 400, { code: "invalid_policy", message: "2 errors", errors: ["a.yaml:1: x", "b.yaml:2: y"] }],
    [new ControlError("not_drained", "not drained", { blockers: ["3 open"] }), 409, { code: "not_drained", message: "not drained", blockers: ["3 open"] }],
    [new ControlError("unavailable", "db down"), 503, { code: "unavailable", message: "db down" }],
  ])("%s answers %d", (error, status, body) => {
    const response = httpErrorOf(error);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: body });
    expect(response.internal).toBe(false);
  });

  it("asks for a bearer token on 401", () => {
    expect(httpErrorOf(new ApiError("unauthenticated", "x")).headers).toEqual({ "www-authenticate": 'Bearer realm="flowzone"' });
  });

  it("answers anything else 500 without leaking its message", () => {
    const response = httpErrorOf(new TypeError("secret detail"));
    expect(response).toEqual({ status: 500, headers: {}, body: { error: { code: "internal", message: INTERNAL_MESSAGE } }, internal: true });
  });
});
