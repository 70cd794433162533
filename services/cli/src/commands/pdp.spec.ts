import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { collectingLogger } from "../../../../test/support/logger";
import { waitUntil } from "../../../../test/support/poll";
import type { CliIo } from "../io";
import { run } from "../run";
import { pdp } from "./pdp";

const EXAMPLE = path.join(__dirname, "..", "..", "..", "..", "examples", "bundle");

interface Captured {
  readonly io: CliIo;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

function capture(env: Record<string, string> = {}, shutdown?: AbortSignal): Captured {
  let stdout = "";
  let stderr = "";
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env, shutdown },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

describe("flowzone pdp", () => {
  it("is a usage error without a policy directory", async () => {
    const out = capture();
    expect(await run(["pdp"], out.io)).toBe(2);
    expect(out.stderr()).toContain("no policy directory given; pass --policy or set FLOWZONE_POLICY");
    expect(out.stderr()).toContain("Run 'flowzone pdp --help' for usage.");
  });

  it.each([
    [["--port", "http"], {}, "--port"],
    [[], { FLOWZONE_PDP_PORT: "70000" }, "FLOWZONE_PDP_PORT"],
  ])("rejects a bad port %j %j as a usage error naming the setting", async (flags, env, setting) => {
    const out = capture({ FLOWZONE_POLICY: EXAMPLE, ...env });
    expect(await run(["pdp", ...flags], out.io)).toBe(2);
    expect(out.stderr()).toContain(`${setting}: `);
    expect(out.stderr()).toContain("is not a port");
  });

  it("exits 1 when the bundle cannot be loaded", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "flowzone-pdp-"));
    try {
      await writeFile(path.join(dir, "bad.yaml"), "kind: Zone\nname: z\nprotects: [nothing]\n");
      const out = capture();
      const { logger } = collectingLogger();
      const code = await pdp(["--policy", dir, "--port", "0"], out.io, { logger });
      expect(code).toBe(1);
      expect(out.stderr()).toContain("flowzone pdp: cannot start: invalid policy bundle (1 error):");
      expect(out.stderr()).toMatch(new RegExp(`^${escape(path.join(dir, "bad.yaml"))}:3: .*nothing`, "m"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("logs the port it listens on and stops cleanly when asked", async () => {
    const { logger, lines } = collectingLogger();
    const stop = new AbortController();
    const out = capture({}, stop.signal);
    const exit = pdp(["--policy", EXAMPLE, "--port", "0"], out.io, { logger });

    const listening = await waitUntil(
      "the decision service to log its port",
      () => lines.find((l) => l["msg"] === "decision service listening"),
      (line) => line !== undefined,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(listening?.["host"]).toBe("127.0.0.1");
    expect(listening?.["port"]).toBeGreaterThan(0);
    expect(listening?.["policyVersion"]).toMatch(/sha256:/);

    stop.abort();
    expect(await exit).toBe(0);
    const messages = lines.map((l) => l["msg"]);
    expect(messages).toEqual(expect.arrayContaining(["stopping (aborted)", "decision service stopped", "stopped"]));
    expect(out.stderr()).toBe("");
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
