// What-if and the flip guard on a real control plane (PostgreSQL, the jest Kafka broker): flows
// put in the inventory with the store's own apply function, then POST /v1/policy/whatif with a
// candidate bundle or a flip, `flowzone policy whatif` with its exit codes, and the count of
// flows a flip to enforcement newly denies, over HTTP, gRPC and the CLI.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { applyFlowBatch } from "@flowzone/control";
import { run } from "@flowzone/cli";
import { startControlService, type RunningControlService, type WhatIfJson } from "@flowzone/control-service";
import { FlipZoneRequestSchema, FlipZoneResponseSchema, Mode } from "@flowzone/proto";

import { startHarness, type Harness } from "../control-core/control-harness";
import { BUNDLE } from "../control-core/control-support";
import { flowBatch, flowReport, type ReportedFlow } from "../control-core/flow-reports";
import { collectingLogger } from "../support/logger";
import { uniqueTopic } from "../support/kafka";
import { ADMIN_TOKEN, TOKENS, VIEWER_TOKEN, ZoneClient } from "./control-api-harness";

const ADS: ReportedFlow = { producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"] };
const EXPORT: ReportedFlow = { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"], purpose: "reporting" };
const MEMBER: ReportedFlow = { producer: "svc:banana-app", sink: "kafka:banana-events", labels: ["banana"] };
const APPLE: ReportedFlow = { producer: "svc:apple-app", sink: "kafka:ads", labels: ["apple"] };
const COUNTS = new Map([[ADS, 40], [EXPORT, 7], [MEMBER, 100], [APPLE, 3]]);
const DAY_MS = 86_400_000;

/** BUNDLE with the banana zone (logging, as every zone of BUNDLE) in enforcement. */
const BANANA_ENFORCED = { ...BUNDLE, "zones.yaml": (BUNDLE["zones.yaml"] ?? "").replace("quietPeriod: 60s\n", "quietPeriod: 60s\nmode: enforcement\n") };
/** BUNDLE without the apple label and zone: apple flows cannot be decided under it. */
const NO_APPLE = { "labels.yaml": "kind: Label\nname: banana\n", "zones.yaml": (BUNDLE["zones.yaml"] ?? "").split("---")[0] ?? "" };

let h: Harness;
let service: RunningControlService;
let lastSeenMs: number;
const dirs: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  lastSeenMs = h.clock.now() - 60_000;
  const records = [...COUNTS].map(([flow, count]) => flowReport(flow, count, lastSeenMs));
  expect(await applyFlowBatch(h.db, flowBatch(uniqueTopic("flows"), 0, records), h.clock.now())).toEqual({ added: 4, reset: undefined, refused: [] });
  service = await startControlService({ controlPlane: h.running.controlPlane, host: "127.0.0.1", httpPort: 0, grpcPort: 0, tokens: TOKENS, logger: collectingLogger().logger });
}, 90_000);

afterAll(async () => {
  await service.close(1000);
  await h.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, token = ADMIN_TOKEN): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function whatIf(body: unknown, token = VIEWER_TOKEN): Promise<WhatIfJson> {
  const response = await post("/v1/policy/whatif", body, token);
  expect({ status: response.status, body: JSON.stringify(response.json).slice(0, 500) }).toMatchObject({ status: 200 });
  return response.json as WhatIfJson;
}

/** An answer's entry as [zone, rule, sink, count]. */
const rows = (entries: WhatIfJson["newlyDenied"]): (string | number)[][] => entries.map((e) => [e.zone, e.rule, e.sink, e.count]);

const BANANA_DENIED = [
  ["banana", "boundary", "kafka:ads", 40],
  ["banana", "boundary", "kafka:export-daily", 7],
  ["banana", "no-export", "kafka:export-daily", 7],
];

async function bundleDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowzone-whatif-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
  return dir;
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { FLOWZONE_CONTROL_URL: `http://127.0.0.1:${service.httpPort}`, FLOWZONE_TOKEN: ADMIN_TOKEN },
  });
  return { code, stdout, stderr };
}

describe("POST /v1/policy/whatif", () => {
  it("names every flow a candidate with a logging zone in enforcement newly denies, with its count, most traffic first", async () => {
    const answer = await whatIf({ files: BANANA_ENFORCED, since: "7d" });
    expect(rows(answer.newlyDenied)).toEqual(BANANA_DENIED);
    expect(answer.newlyDenied[1]).toEqual({
      zone: "banana",
      rule: "boundary",
      producer: "svc:banana-app",
      sink: "kafka:export-daily",
      labels: ["banana"],
      sources: [],
      purpose: "reporting",
      count: 7,
      lastSeen: new Date(lastSeenMs).toISOString(),
    });
    expect({ newlyAllowed: answer.newlyAllowed, opened: answer.opened, resolved: answer.resolved, invalid: answer.invalid }).toEqual({ newlyAllowed: [], opened: [], resolved: [], invalid: [] });
    expect({ flowsNewlyDenied: answer.flowsNewlyDenied, flowsEvaluated: answer.flowsEvaluated }).toEqual({ flowsNewlyDenied: 2, flowsEvaluated: 4 });
    expect(Date.parse(answer.window.until) - Date.parse(answer.window.since)).toBe(7 * DAY_MS);
    expect(Date.parse(answer.window.until)).toBe(h.clock.now());
  });

  it("answers nothing for the unchanged bundle, and takes flows only from the window", async () => {
    const unchanged = await whatIf({ files: BUNDLE });
    expect([unchanged.newlyDenied, unchanged.newlyAllowed, unchanged.opened, unchanged.resolved, unchanged.invalid, unchanged.flowsEvaluated]).toEqual([[], [], [], [], [], 4]);
    const tooRecent = await whatIf({ files: BANANA_ENFORCED, since: "30s" });
    expect({ evaluated: tooRecent.flowsEvaluated, denied: tooRecent.newlyDenied }).toEqual({ evaluated: 0, denied: [] });
  });

  it("lists a flow the candidate cannot decide as invalid, and only there", async () => {
    const answer = await whatIf({ files: NO_APPLE });
    expect(answer.invalid.map((f) => [f.producer, f.sink, f.count])).toEqual([["svc:apple-app", "kafka:ads", 3]]);
    expect(answer.invalid[0]?.error).toContain('"apple"');
    expect([answer.newlyDenied, answer.resolved, answer.opened]).toEqual([[], [], []]);
  });

  it("evaluates a flip of the policy in force, and refuses an unknown zone, a bad mode and a broken bundle with every file:line", async () => {
    const flip = await whatIf({ flip: { zone: "banana", to: "enforcement" } });
    expect(rows(flip.newlyDenied)).toEqual(BANANA_DENIED);
    expect((await post("/v1/policy/whatif", { flip: { zone: "cherry", to: "enforcement" } })).json).toMatchObject({ error: { code: "not_found", message: 'no zone is named "cherry"' } });
    const badMode = await post("/v1/policy/whatif", { flip: { zone: "banana", to: "strict" } });
    expect(badMode).toMatchObject({ status: 400, json: { error: { code: "invalid_argument", field: "flip" } } });
    const broken = await post("/v1/policy/whatif", { files: { ...BUNDLE, "zones.yaml": "kind: Zone\nname: z\nprotects: [nope]\n" } });
    expect(broken).toEqual({ status: 400, json: { error: { code: "invalid_policy", message: "the policy bundle has 1 error", errors: ['zones.yaml:3: zone "z" protects undeclared label "nope"'] } } });
  });
});

describe("flowzone policy whatif", () => {
  it("exits 3 naming the newly denied flow with its count, 0 for the unchanged bundle, 1 for a broken one; --json prints the API's answer", async () => {
    const enforced = await bundleDir(BANANA_ENFORCED);
    const denied = await cli(["policy", "whatif", enforced, "--json"]);
    expect({ code: denied.code, stderr: denied.stderr }).toEqual({ code: 3, stderr: "" });
    const json = JSON.parse(denied.stdout) as WhatIfJson;
    expect(rows(json.newlyDenied)).toEqual(BANANA_DENIED);
    expect(json.flowsEvaluated).toBe(4);

    const table = await cli(["policy", "whatif", enforced, "--since", "24h"]);
    expect(table.code).toBe(3);
    expect(table.stdout).toContain(`${enforced} against the policy in force, over 4 inventoried flows seen in the last 24h:`);
    expect(table.stdout).toMatch(/newly denied\s+3\s+allowed now, denied by the candidate/);
    expect(table.stdout).toMatch(/banana\s+boundary\s+svc:banana-app\s+kafka:ads\s+banana\s+-\s+-\s+40\s+\d+[sm] ago\n/);
    expect(table.stdout).toContain("2 flows would be newly denied.");

    const unchanged = await cli(["policy", "whatif", await bundleDir(BUNDLE), "--json"]);
    expect(unchanged.code).toBe(0);
    expect((JSON.parse(unchanged.stdout) as WhatIfJson).newlyDenied).toEqual([]);
    expect((await cli(["policy", "whatif", await bundleDir(BUNDLE)])).stdout).toContain("Nothing would be newly denied.");

    expect((await cli(["policy", "whatif", await bundleDir(NO_APPLE)])).code).toBe(3);
    const broken = await cli(["policy", "whatif", await bundleDir({ ...BUNDLE, "zones.yaml": "kind: Zone\nname: z\nprotects: [nope]\n" })]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('zones.yaml:3: zone "z" protects undeclared label "nope"');
    expect(broken.stderr).toContain("nothing was evaluated");
  });
});

describe("the flip guard", () => {
  it("says how many inventoried flows a flip to enforcement newly denies: refused, forced, over gRPC and in the CLI", async () => {
    const refused = await post("/v1/zones/banana/flip", { to: "enforcement", reason: "drained?" });
    expect(refused).toMatchObject({ status: 409, json: { error: { code: "not_drained", flowsNewlyDenied: 2 } } });
    const cliRefused = await cli(["zones", "flip", "banana", "--to", "enforcement", "--reason", "drained?"]);
    expect(cliRefused.code).toBe(1);
    expect(cliRefused.stderr).toContain("  - in enforcement the zone would newly deny 2 inventoried flows seen in the last 7d\n");

    const forced = await cli(["zones", "flip", "banana", "--to", "enforcement", "--reason", "incident drill", "--force"]);
    expect(forced).toEqual({ code: 0, stdout: "zone banana is now in enforcement mode; recorded as forced\n  newly denied: 2 inventoried flows seen in the last 7d\n", stderr: "" });

    // What-if runs under the runtime state: banana is enforced now, whatever the candidate's file says.
    const unchanged = await whatIf({ files: BUNDLE });
    expect(unchanged.newlyDenied).toEqual([]);
    expect(rows((await whatIf({ flip: { zone: "banana", to: "logging" } })).newlyAllowed)).toEqual(BANANA_DENIED);

    const back = await post("/v1/zones/banana/flip", { to: "logging", reason: "rollback" });
    expect(back).toMatchObject({ status: 200, json: { name: "banana", mode: "logging", flowsNewlyDenied: 0 } });
    const client = new ZoneClient(`127.0.0.1:${service.grpcPort}`);
    try {
      const grpcForced = await client.call("flipZone", FlipZoneRequestSchema, { zone: "banana", to: Mode.ENFORCEMENT, reason: "drill", force: true }, ADMIN_TOKEN, FlipZoneResponseSchema);
      expect({ mode: grpcForced.zone?.mode, flowsNewlyDenied: grpcForced.flowsNewlyDenied }).toEqual({ mode: Mode.ENFORCEMENT, flowsNewlyDenied: 2n });
      const grpcBack = await client.call("flipZone", FlipZoneRequestSchema, { zone: "banana", to: Mode.LOGGING, reason: "rollback" }, ADMIN_TOKEN, FlipZoneResponseSchema);
      expect(grpcBack.flowsNewlyDenied).toBe(0n);
    } finally {
      client.close();
    }
  });
});
