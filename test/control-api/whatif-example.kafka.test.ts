// Issue 13's "done when" for what-if, on the example organisation (examples/bundle) and real parts
// only: a decision service decides a write that violates the logging zone pii and reports its flow
// to the flows topic; the control plane's inventory reads it; `flowzone policy whatif` on the
// example bundle with pii in enforcement names that flow with its count and exits 3, and on the
// unchanged bundle exits 0.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { readBundleDir } from "@flowzone/bundle-source";
import { run } from "@flowzone/cli";
import { startControlPlane, type RunningControlPlane } from "@flowzone/control";
import { startControlService, type RunningControlService, type WhatIfJson } from "@flowzone/control-service";
import { Decision } from "@flowzone/proto";

import { startPdp, type Pdp } from "../pdp/pdp-harness";
import { openTestDatabase } from "../support/database";
import { testBrokers, testKafka, testKafkaConfig, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";

const EXAMPLE = join(__dirname, "..", "..", "examples", "bundle");
/** A newsletter service writing customer emails to a marketing topic: outside zone pii, which only logs. */
const NEWSLETTER = { producer: "svc:newsletter", sink: "kafka:marketing-emails", labels: ["pii.email"] };
const WRITES = 5;

let control: RunningControlPlane;
let service: RunningControlService;
let pdp: Pdp;
let dropDatabase: () => Promise<void>;
const dirs: string[] = [];

beforeAll(async () => {
  const flowsTopic = uniqueTopic("example-flows");
  const { db, drop } = await openTestDatabase();
  dropDatabase = drop;
  const { logger } = collectingLogger();
  control = await startControlPlane({
    database: db,
    kafka: testKafka("whatif-example-control", "control"),
    policyDir: EXAMPLE,
    logger,
    auditTopic: uniqueTopic("example-audit"),
    controlTopic: uniqueTopic("example-control"),
    flowsTopic,
    groupId: uniqueTopic("example-backlog"),
  });
  service = await startControlService({ controlPlane: control.controlPlane, host: "127.0.0.1", httpPort: 0, grpcPort: 0, logger });
  const files = Object.fromEntries((await readBundleDir(EXAMPLE)).map((file) => [file.path, file.content]));
  pdp = await startPdp({
    files,
    kafka: { brokers: testBrokers(), config: testKafkaConfig("decision"), auditTopic: uniqueTopic("example-pdp-audit"), controlTopic: uniqueTopic("example-pdp-control"), flowsTopic, flowReportIntervalMs: 300 },
  });
}, 90_000);

afterAll(async () => {
  await pdp.stop();
  await service.close(1000);
  await control.close();
  await dropDatabase();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { FLOWZONE_CONTROL_URL: `http://127.0.0.1:${service.httpPort}` },
  });
  return { code, stdout, stderr };
}

/** A copy of the example bundle with `zones/pii.yaml` ending in `mode: enforcement`. */
async function piiEnforced(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowzone-whatif-example-"));
  dirs.push(dir);
  await cp(EXAMPLE, dir, { recursive: true });
  const pii = join(dir, "zones", "pii.yaml");
  await writeFile(pii, `${await readFile(pii, "utf8")}mode: enforcement\n`);
  return dir;
}

describe("what-if on the example organisation", () => {
  it("names the logging-mode violation's flow with its count and exits 3 for pii in enforcement; exits 0 for the unchanged bundle", async () => {
    for (let i = 0; i < WRITES; i++) {
      const decided = await pdp.client.check(NEWSLETTER);
      expect({ decision: decided.decision, violations: decided.violations.map((v) => [v.zone, v.enforced]) }).toEqual({ decision: Decision.ALLOW, violations: [["pii", false]] });
    }
    const candidate = await piiEnforced();
    const answer = await waitUntil(
      `the inventory to hold the newsletter flow's ${WRITES} decisions`,
      async () => {
        const result = await cli(["policy", "whatif", candidate, "--json"]);
        return { ...result, json: result.code === 3 ? (JSON.parse(result.stdout) as WhatIfJson) : undefined };
      },
      (result) => result.json?.newlyDenied[0]?.count === WRITES,
      { timeoutMs: 30_000 },
    );
    expect(answer.json?.newlyDenied.map((e) => [e.zone, e.rule, e.producer, e.sink, e.labels, e.count])).toEqual([["pii", "boundary", NEWSLETTER.producer, NEWSLETTER.sink, NEWSLETTER.labels, WRITES]]);

    const table = await cli(["policy", "whatif", candidate]);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/pii\s+boundary\s+svc:newsletter\s+kafka:marketing-emails\s+pii\.email\s+-\s+-\s+5\s/);

    const unchanged = await cli(["policy", "whatif", EXAMPLE]);
    expect({ code: unchanged.code, stderr: unchanged.stderr }).toEqual({ code: 0, stderr: "" });
    expect(unchanged.stdout).toContain("Nothing would be newly denied.");
  }, 60_000);
});
