/**
 * `flowzone pdp` with FLOWZONE_METRICS_TOKEN_FILE: its GET /metrics answers 401 without the
 * file's bearer token and 200 with it, while /healthz and /readyz stay open for probes; a token
 * file it cannot use stops it at start with the setting and the file named. No brokers: the
 * metrics listener does not need Kafka.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { loggedPort, TestProcess } from "../support/processes";
import { step } from "../support/steps";

const TOKEN = "scrape-token-0123456789abcdef";
const METRICS_LINE = "metrics listening on /metrics";

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowzone-metrics-token-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function pdp(tokenFile: string): TestProcess {
  return TestProcess.flowzone("flowzone pdp", ["pdp", "--policy", "examples/bundle", "--port", "0", "--metrics-port", "0"], {
    env: { FLOWZONE_METRICS_TOKEN_FILE: tokenFile, FLOWZONE_LOG_FORMAT: "json" },
  });
}

describe("flowzone pdp with a metrics token file", () => {
  it("answers GET /metrics 401 without the token and 200 with it; /healthz and /readyz need none", async () => {
    const tokenFile = join(work, "metrics-token");
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const service = pdp(tokenFile);
    const base = await step("flowzone pdp starts and logs its metrics port", async () => {
      await service.waitFor("the metrics port in the log", (p) => loggedPort(p.stdout, METRICS_LINE) !== undefined);
      return `http://127.0.0.1:${loggedPort(service.stdout, METRICS_LINE) ?? 0}`;
    });

    await step("without the token, with a wrong one and with a Basic header: 401", async () => {
      const without = await fetch(`${base}/metrics`);
      expect(without.status).toBe(401);
      expect(without.headers.get("www-authenticate")).toBe('Bearer realm="flowzone"');
      expect(await without.json()).toEqual({
        error: { code: "unauthenticated", message: "GET /metrics needs the metrics token: send 'Authorization: Bearer <token>' with the token of FLOWZONE_METRICS_TOKEN_FILE" },
      });
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}0` } })).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    });

    await step("with the token: 200 and the decision service's metrics", async () => {
      const scraped = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('service_name="flowzone-pdp"');
    });

    await step("the probes answer without a token", async () => {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).not.toBe(401);
    });

    expect(await service.stop("SIGTERM", 15_000)).toEqual({ code: 0, signal: null });
  });

  it.each([
    ["a file that does not exist", "missing", undefined, "cannot be read as the metrics token file"],
    ["a short token", "short", "short-token\n", "holds a token shorter than 16 characters"],
  ])("refuses to start with %s, naming the setting and the file (exit 2)", async (_what, name, content, reason) => {
    const tokenFile = join(work, name);
    if (content !== undefined) await writeFile(tokenFile, content);
    const service = pdp(tokenFile);
    expect((await service.exited).code).toBe(2);
    expect(service.stderr).toContain(`FLOWZONE_METRICS_TOKEN_FILE: "${tokenFile}" ${reason}`);
    expect(service.stdout).not.toContain(METRICS_LINE);
  });
});
