// The built `flowzone` executable serves the example bundle and stops cleanly on SIGINT, as
// `npm start` users and process supervisors rely on. `npm test` builds before jest runs.
import { existsSync } from "node:fs";
import { connect } from "node:net";

import { decisionServicePort, FLOWZONE_MAIN, TestProcess } from "../support/processes";

describe("flowzone pdp (built executable)", () => {
  it("logs the port it got, accepts connections, and exits 0 on SIGINT", async () => {
    if (!existsSync(FLOWZONE_MAIN)) {
      throw new Error(`${FLOWZONE_MAIN} is missing: build first (npm run build; npm test does it before jest)`);
    }
    const pdp = TestProcess.flowzone("flowzone pdp", ["pdp", "--policy", "examples/bundle", "--port", "0"], { env: withoutFlowzoneSettings(process.env) });

    await pdp.waitFor('its "decision service listening" log line', () => decisionServicePort(pdp.stdout) !== undefined, 15_000);
    const port = decisionServicePort(pdp.stdout) ?? 0;
    expect(port).toBeGreaterThan(0);
    await new Promise<void>((resolve, reject) => {
      // Destroyed, not ended: the server's first frame would sit unread in a socket only ended, and
      // that socket would keep jest's process alive after the last test.
      const socket = connect(port, "127.0.0.1", () => { socket.destroy(); resolve(); });
      socket.on("error", reject);
    });

    expect(await pdp.stop("SIGINT", 15_000)).toEqual({ code: 0, signal: null });
    expect(pdp.stdout).toContain('"msg":"stopping (SIGINT)"');
    expect(pdp.stdout).toContain('"msg":"decision service stopped"');
    expect(pdp.stderr).toBe("");
  });
});

/** The caller's environment minus FLOWZONE_* settings, so only the flags above apply. */
function withoutFlowzoneSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("FLOWZONE_")));
}

