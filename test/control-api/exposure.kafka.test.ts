/**
 * The real `flowzone control` and who can reach it (issue 10, item 6): without a token file it
 * refuses to listen off loopback, before it opens the database or Kafka; with one it listens on
 * 0.0.0.0, refuses cross-site form posts (415) and, with FLOWZONE_METRICS_TOKEN_FILE, answers
 * /metrics only with that token while /healthz stays open. The started one runs on a broker of
 * the test's own (it uses the default topic names) and embedded PGlite.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { TestProcess } from "../support/processes";
import { step } from "../support/steps";

const ADMIN = "admin-token-0123456789abcdef";
const VIEWER = "viewer-token-0123456789abcdef";
const METRICS = "scrape-token-0123456789abcdef";
const LISTENING = "control plane API listening";

interface Listening {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
}

/** The JSON "control plane API listening" line, once printed. */
function listening(stdout: string): Listening | undefined {
  const line = stdout.split("\n").find((l) => l.includes(`"${LISTENING}"`));
  return line === undefined ? undefined : (JSON.parse(line) as Listening);
}

/** An IPv4 address of this machine that is not loopback, if it has one. */
function routableAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flowzone-exposure-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("flowzone control without a token file", () => {
  it.each([
    ["--host 0.0.0.0", ["--host", "0.0.0.0"], {}, '--host: "0.0.0.0"'],
    ["FLOWZONE_CONTROL_HOST=::", [], { FLOWZONE_CONTROL_HOST: "::" }, 'FLOWZONE_CONTROL_HOST: "::"'],
    ["--host 192.0.2.10", ["--host", "192.0.2.10"], { FLOWZONE_CONTROL_HOST: "127.0.0.1" }, '--host: "192.0.2.10"'],
  ])("refuses %s: exit 2 naming the setting and the fix, before it opens the database", async (_name, flags, env, named) => {
    const home = await mkdtemp(join(work, "home-"));
    const control = TestProcess.flowzone("flowzone control", ["control", ...flags, "--http-port", "0", "--grpc-port", "0", "--home", home], {
      env: { ...env, FLOWZONE_KAFKA_BROKERS: "127.0.0.1:1", FLOWZONE_LOG_FORMAT: "json" },
    });
    expect(await control.exited).toEqual({ code: 2, signal: null });
    expect(control.stderr).toContain(
      `${named} is not a loopback address, and without a token file the control API would be open to anyone who can reach it; ` +
        "set FLOWZONE_TOKENS (--tokens) to a bearer token file (docs/reference/http-api.md#auth-and-exposure), or bind 127.0.0.1",
    );
    expect(control.stdout).not.toContain(LISTENING);
    expect(existsSync(join(home, "pglite"))).toBe(false);
  });
});

describe("flowzone control with a token file", () => {
  let broker: OwnBroker | undefined;
  afterAll(async () => {
    await broker?.dispose();
  }, 60_000);

  it("listens on 0.0.0.0, refuses form posts with 415 changing nothing, and serves /metrics only with the metrics token", async () => {
    const { base, control } = await step(
      "start a broker of the test's own and flowzone control --host 0.0.0.0 with tokens and a metrics token file",
      async () => {
        broker = await startOwnBroker();
        const tokens = join(work, "tokens.yaml");
        await writeFile(tokens, `tokens:\n  - { token: ${ADMIN}, subject: alice@privacy, role: privacy-admin }\n  - { token: ${VIEWER}, subject: bob@eng, role: viewer }\n`, { mode: 0o600 });
        const metricsToken = join(work, "metrics-token");
        await writeFile(metricsToken, `${METRICS}\n`, { mode: 0o600 });
        const started = TestProcess.flowzone(
          "flowzone control",
          ["control", "--host", "0.0.0.0", "--http-port", "0", "--grpc-port", "0", "--policy", "examples/bundle", "--home", join(work, "home"), "--tokens", tokens],
          { env: { FLOWZONE_KAFKA_BROKERS: broker.brokers, FLOWZONE_METRICS_TOKEN_FILE: metricsToken, FLOWZONE_LOG_FORMAT: "json" } },
        );
        await started.waitFor("its listening line", (p) => listening(p.stdout) !== undefined, 90_000);
        const where = listening(started.stdout);
        expect(where).toMatchObject({ host: "0.0.0.0" });
        return { base: `http://127.0.0.1:${where?.httpPort ?? 0}`, control: started };
      },
      { timeoutMs: 150_000 },
    );
    const auth = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
    const modeOfPii = async (): Promise<string> => ((await (await fetch(`${base}/v1/zones/pii`, { headers: auth(VIEWER) })).json()) as { mode: string }).mode;

    await step("reachable on loopback and off it, with the API's tokens required", async () => {
      expect((await fetch(`${base}/v1/zones`)).status).toBe(401);
      expect((await fetch(`${base}/v1/zones`, { headers: auth(VIEWER) })).status).toBe(200);
      const address = routableAddress();
      // A machine without a routable interface still proves the bind by the logged host above.
      if (address !== undefined) expect((await fetch(`${base.replace("127.0.0.1", address)}/v1/zones`, { headers: auth(VIEWER) })).status).toBe(200);
    });

    await step("a form post and a text/plain post of a flip answer 415, and the zone keeps its mode", async () => {
      const before = await modeOfPii();
      for (const [contentType, body] of [
        ["application/x-www-form-urlencoded", "to=off&reason=csrf&force=true"],
        ["text/plain;charset=UTF-8", JSON.stringify({ to: before === "off" ? "logging" : "off", reason: "csrf", force: true })],
      ]) {
        const response = await fetch(`${base}/v1/zones/pii/flip`, { method: "POST", headers: { ...auth(ADMIN), "content-type": contentType ?? "" }, body });
        expect(response.status).toBe(415);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
      }
      expect(await modeOfPii()).toBe(before);
    });

    await step("/metrics answers 401 without the metrics token or with an API token, 200 with it; /healthz needs none", async () => {
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: auth(ADMIN) })).status).toBe(401);
      const scraped = await fetch(`${base}/metrics`, { headers: auth(METRICS) });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain("flowzone_control_http_requests_total");
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    });

    expect(await control.stop("SIGTERM", 30_000)).toEqual({ code: 0, signal: null });
  }, 240_000);
});
