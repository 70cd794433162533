import { Router } from "./http-router";

const router = new Router([
  { method: "GET", pattern: "/v1/zones", handler: "list" },
  { method: "GET", pattern: "/v1/zones/{zone}", handler: "get" },
  { method: "POST", pattern: "/v1/zones/{zone}/flip", handler: "flip" },
  { method: "DELETE", pattern: "/v1/exceptions/{id}", handler: "revoke" },
]);

describe("Router", () => {
  it.each([
    ["GET", "/v1/zones", "list", {}],
    ["GET", "/v1/zones/banana", "get", { zone: "banana" }],
    ["GET", "/v1/zones/pii%2Femail", "get", { zone: "pii/email" }],
    ["POST", "/v1/zones/banana/flip", "flip", { zone: "banana" }],
    ["DELETE", "/v1/exceptions/ex-1", "revoke", { id: "ex-1" }],
  ])("%s %s goes to %s with %j", (method, path, handler, params) => {
    expect(router.match(method, path)).toEqual({ kind: "found", route: expect.objectContaining({ handler }) as unknown, params });
  });

  it.each([["/v1/zone"], ["/v1/zones/"], ["/v1/zones/banana/flip/now"], ["/v1/zones/%E0%A4%A"], ["/"]])("%s is not found", (path) => {
    expect(router.match("GET", path)).toEqual({ kind: "not_found" });
  });

  it("tells a known path with the wrong method apart, listing the allowed methods", () => {
    expect(router.match("DELETE", "/v1/zones/banana")).toEqual({ kind: "method_not_allowed", allowed: ["GET"] });
    expect(router.match("GET", "/v1/zones/banana/flip")).toEqual({ kind: "method_not_allowed", allowed: ["POST"] });
  });
});
