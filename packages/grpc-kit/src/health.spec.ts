import type * as grpc from "@grpc/grpc-js";

import { createHealth } from "./health";

type Check = (call: { request: { service: string } }, callback: (error: unknown, response?: { status: string }) => void) => void;

/** The health service's `Check` handler, as a server would be handed it. */
function checkHandler(health: ReturnType<typeof createHealth>): (service: string) => Promise<string> {
  let check: Check | undefined;
  const server = {
    addService(_definition: unknown, implementation: { check: Check }) {
      check = implementation.check;
    },
  };
  health.addToServer(server as unknown as grpc.Server);
  return (service) =>
    new Promise((resolve, reject) => {
      if (check === undefined) throw new Error("no Check handler was added");
      check({ request: { service } }, (error, response) => {
        if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        else resolve(response?.status ?? "");
      });
    });
}

describe("createHealth().follow", () => {
  it("sets the status from the check at once, at each refresh and on its interval, for the server and every service, until stopped", async () => {
    const health = createHealth(["flowzone.v1.Test"]);
    const check = checkHandler(health);
    let ready = false;
    const readiness = health.follow(() => ready, 20);
    expect([await check(""), await check("flowzone.v1.Test")]).toEqual(["NOT_SERVING", "NOT_SERVING"]);
    ready = true;
    readiness.refresh();
    expect([await check(""), await check("flowzone.v1.Test")]).toEqual(["SERVING", "SERVING"]);
    ready = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await check("")).toBe("NOT_SERVING"); // the interval saw it
    readiness.stop();
    ready = true;
    readiness.refresh();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await check("")).toBe("NOT_SERVING"); // stopped: neither refresh nor the interval changes it
  });
});
