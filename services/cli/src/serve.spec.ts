import { fatalSignal, type RunningService } from "@flowzone/service-kit";

import type { CliIo } from "./io";
import { serve } from "./serve";

function captured(shutdown: AbortSignal): { io: CliIo; stderr: () => string } {
  let stderr = "";
  return { io: { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {}, shutdown }, stderr: () => stderr };
}

describe("serve", () => {
  it("stops the service and exits 1 when it fails for good", async () => {
    const { failed, fail } = fatalSignal();
    const stopped: string[] = [];
    const said: string[] = [];
    const out = captured(new AbortController().signal);
    const exit = serve("enforcer", out.io, (line) => said.push(line), () =>
      Promise.resolve<RunningService>({ failed, stop: () => { stopped.push("service"); return Promise.resolve(); } }),
    );
    fail(new Error("route orders stopped for good"));
    expect(await exit).toBe(1);
    expect(stopped).toEqual(["service"]);
    expect(said).toEqual(["stopping (failure)"]);
    expect(out.stderr()).toBe("flowzone enforcer: stopped after a failure: route orders stopped for good\n");
  });

  it("stops the service and exits 0 when asked to stop", async () => {
    const stop = new AbortController();
    const said: string[] = [];
    const out = captured(stop.signal);
    const exit = serve("pdp", out.io, (line) => said.push(line), () => Promise.resolve<RunningService>({ failed: fatalSignal().failed, stop: () => Promise.resolve() }));
    stop.abort();
    expect(await exit).toBe(0);
    expect(said).toEqual(["stopping (aborted)", "stopped"]);
    expect(out.stderr()).toBe("");
  });

  it("exits 1 saying why when the service cannot start", async () => {
    const out = captured(new AbortController().signal);
    expect(await serve("control", out.io, () => undefined, () => Promise.reject(new Error("port 8080 is taken")))).toBe(1);
    expect(out.stderr()).toBe("flowzone control: cannot start: port 8080 is taken\n");
  });
});
