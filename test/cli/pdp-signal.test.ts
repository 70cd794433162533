// The built `flowzone` executable serves the example bundle and stops cleanly on SIGINT, as
// `npm start` users and process supervisors rely on. `npm test` builds before jest runs.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const MAIN = path.join(ROOT, "services", "cli", "dist", "main.js");

describe("flowzone pdp (built executable)", () => {
  it("logs the port it got, accepts connections, and exits 0 on SIGINT", async () => {
    if (!existsSync(MAIN)) {
      throw new Error(`${MAIN} is missing: build first (npm run build; npm test does it before jest)`);
    }
    const child = spawn(process.execPath, [MAIN, "pdp", "--policy", "examples/bundle", "--port", "0"], {
      cwd: ROOT,
      env: withoutFlowzoneSettings(process.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on("exit", (code, signal) => { resolve({ code, signal }); });
    });

    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`no "listening" log line within 15s:\n${stdout}\n${stderr}`)); }, 15_000);
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const port = listeningPort(stdout);
          if (port !== undefined) {
            clearTimeout(timer);
            resolve(port);
          }
        });
        void exited.then(({ code }) => { reject(new Error(`exited early with ${code}:\n${stdout}\n${stderr}`)); });
      });
      expect(port).toBeGreaterThan(0);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1", () => { socket.end(); resolve(); });
        socket.on("error", reject);
      });

      child.kill("SIGINT");
      expect(await within(15_000, exited, () => `no exit within 15s of SIGINT:\n${stdout}\n${stderr}`)).toEqual({ code: 0, signal: null });
      expect(stdout).toContain('"msg":"stopping (SIGINT)"');
      expect(stdout).toContain('"msg":"decision service stopped"');
      expect(stderr).toBe("");
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});

/** The caller's environment minus FLOWZONE_* settings, so only the flags above apply. */
function withoutFlowzoneSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("FLOWZONE_")));
}

/** The port of the service's "decision service listening" JSON log line, once it has been printed. */
function listeningPort(output: string): number | undefined {
  for (const line of output.split("\n").slice(0, -1)) {
    if (!line.includes('"decision service listening"')) continue;
    const entry = JSON.parse(line) as { port?: unknown };
    if (typeof entry.port === "number") return entry.port;
  }
  return undefined;
}

/** `promise`, or a rejection with `message()` after `ms` (so a hung child fails the test, then is killed). */
async function within<T>(ms: number, promise: Promise<T>, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(message())); }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
