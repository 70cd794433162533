import { enforcerHealth, type RouteHealth } from "./enforcer-health";

const consuming: RouteHealth = { route: "a", state: "consuming", partitions: [0, 1] };

describe("enforcerHealth", () => {
  it("is ready when every route consumes and the control topic was read", () => {
    const health = enforcerHealth("v1", { state: "read" }, [consuming, { route: "b", state: "consuming", partitions: [] }]);
    expect(health).toEqual({ status: "ready", policyVersion: "v1", controlTopic: { state: "read" }, routes: [consuming, { route: "b", state: "consuming", partitions: [] }] });
  });

  it("is ready without a control topic to follow", () => {
    expect(enforcerHealth("v1", undefined, [consuming]).status).toBe("ready");
    expect(enforcerHealth("v1", { state: "off" }, [consuming]).status).toBe("ready");
  });

  it.each(["starting", "restarting", "stopped"] as const)("is not ready while a route is %s", (state) => {
    expect(enforcerHealth("v1", { state: "read" }, [consuming, { route: "b", state, partitions: [] }]).status).toBe("not_ready");
  });

  it("is not ready until the control topic has been read once", () => {
    expect(enforcerHealth("v1", { state: "waiting", attempts: 2, lastError: "ECONNREFUSED" }, [consuming]).status).toBe("not_ready");
  });
});
