// GET /v1/flows and `flowzone flows` on the real control plane (PostgreSQL, the jest Kafka broker):
// FlowReports produced to its flows topic listed with the zones of the policy in force, filtered
// by zone, label, sink and producer, bad parameters refused by name, and the CLI's table and JSON.
import { run } from "@flowzone/cli";
import { startControlService, type RunningControlService } from "@flowzone/control-service";

import { startHarness, type Harness } from "../control-core/control-harness";
import { flowReport, type ReportedFlow } from "../control-core/flow-reports";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { produce } from "../support/topics";
import { TOKENS, VIEWER_TOKEN } from "./control-api-harness";

const DAY = 86_400_000;
const CHECKOUT: ReportedFlow = { producer: "svc:checkout", sink: "kafka:orders", labels: ["banana"], purpose: "billing" };
const ADS: ReportedFlow = { producer: "svc:checkout", sink: "kafka:ads", labels: ["apple"] };
const BOTH: ReportedFlow = { producer: "svc:banana-ranker", sink: "kafka:ads", labels: ["apple", "banana"] };
/** A label the policy does not declare: listed, touching no zone. */
const UNREADABLE: ReportedFlow = { producer: "svc:legacy", sink: "kafka:orders", labels: ["mystery"] };

interface FlowsBody {
  readonly flows: { producer: string; sink: string; labels: string[]; zones: string[]; count: number }[];
  readonly window: { since: string; until: string };
}

let h: Harness | undefined;
let service: RunningControlService | undefined;

afterAll(async () => {
  await service?.close(1000);
  await h?.stop();
});

/** GET `path` with `token` (null: none). */
async function get(path: string, token: string | null = VIEWER_TOKEN): Promise<{ status: number; json: unknown }> {
  if (service === undefined) throw new Error("no control service running");
  const response = await fetch(`http://127.0.0.1:${service.httpPort}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, json: (await response.json()) };
}

/** `count producer->sink [zones]` per listed flow. */
async function listed(query: string): Promise<string[]> {
  const response = await get(`/v1/flows${query}`);
  expect(response.status).toBe(200);
  return (response.json as FlowsBody).flows.map((f) => `${f.count} ${f.producer}->${f.sink} [${f.zones.join(",")}]`);
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { FLOWZONE_CONTROL_URL: `http://127.0.0.1:${service?.httpPort ?? 0}`, FLOWZONE_TOKEN: VIEWER_TOKEN },
  });
  return { code, stdout, stderr };
}

describe("the flow inventory's API and command", () => {
  it("lists, filters and refuses as documented, and flowzone flows prints it", async () => {
    await step("start a control plane and its HTTP API; report four flows and one a month old", async () => {
      h = await startHarness();
      service = await startControlService({ controlPlane: h.running.controlPlane, host: "127.0.0.1", httpPort: 0, grpcPort: 0, tokens: TOKENS, logger: collectingLogger().logger });
      const now = h.clock.now();
      await produce(h.kafka, h.flowsTopic, [
        flowReport(CHECKOUT, 40, now - 1000, "pdp-a"),
        flowReport(CHECKOUT, 2, now - 1000, "pdp-b"),
        flowReport(ADS, 30, now - 2000),
        flowReport(BOTH, 20, now - 3000),
        flowReport(UNREADABLE, 10, now - 4000),
        flowReport({ ...ADS, producer: "svc:old" }, 99, now - 30 * DAY),
      ]);
      const plane = h.running.controlPlane;
      await waitUntil("the week's four flows", async () => (await plane.listFlows({ windowMs: 7 * DAY, limit: 100 })).flows.length, (n) => n === 4, { timeoutMs: 20_000 });
    }, { timeoutMs: 60_000 });

    await step("GET /v1/flows lists the week's flows, most traffic first, with their zones and window", async () => {
      expect(await listed("")).toEqual(["42 svc:checkout->kafka:orders [banana]", "30 svc:checkout->kafka:ads [apple]", "20 svc:banana-ranker->kafka:ads [banana,apple]", "10 svc:legacy->kafka:orders []"]);
      const body = (await get("/v1/flows?since=24h")).json as FlowsBody;
      expect(Date.parse(body.window.until) - Date.parse(body.window.since)).toBe(DAY);
      expect(await listed("?since=60d&limit=1")).toEqual(["99 svc:old->kafka:ads [apple]"]);
    }, { timeoutMs: 10_000 });

    await step("filters by zone, label, sink and producer, combined", async () => {
      expect(await listed("?zone=banana")).toEqual(["42 svc:checkout->kafka:orders [banana]", "20 svc:banana-ranker->kafka:ads [banana,apple]"]);
      expect(await listed("?zone=banana&limit=1")).toEqual(["42 svc:checkout->kafka:orders [banana]"]);
      expect(await listed("?label=apple")).toEqual(["30 svc:checkout->kafka:ads [apple]", "20 svc:banana-ranker->kafka:ads [banana,apple]"]);
      expect(await listed("?sink=kafka%3Aorders")).toEqual(["42 svc:checkout->kafka:orders [banana]", "10 svc:legacy->kafka:orders []"]);
      expect(await listed("?producer=svc%3Acheckout&zone=apple")).toEqual(["30 svc:checkout->kafka:ads [apple]"]);
    }, { timeoutMs: 10_000 });

    await step("refuses an unknown zone (404), bad parameters (400 naming them) and a missing token (401)", async () => {
      expect(await get("/v1/flows?zone=nope")).toMatchObject({ status: 404, json: { error: { code: "not_found" } } });
      expect(await get("/v1/flows?sinks=kafka:ads")).toMatchObject({ status: 400, json: { error: { code: "invalid_argument", field: "sinks" } } });
      expect(await get("/v1/flows?since=yesterday")).toMatchObject({ status: 400, json: { error: { field: "since" } } });
      expect(await get("/v1/flows?limit=0")).toMatchObject({ status: 400, json: { error: { field: "limit" } } });
      expect(await get("/v1/flows?label=")).toMatchObject({ status: 400, json: { error: { field: "label" } } });
      expect((await get("/v1/flows", null)).status).toBe(401);
    }, { timeoutMs: 10_000 });

    await step("flowzone flows prints the table by traffic, --json the API's answer, and refuses bad usage with exit 2", async () => {
      const table = await cli(["flows", "--zone", "banana"]);
      expect(table).toMatchObject({ code: 0, stderr: "" });
      const lines = table.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^COUNT\s+PRODUCER\s+SINK\s+LABELS\s+SOURCES\s+PURPOSE\s+ZONES\s+LAST SEEN$/);
      expect(lines[1]).toMatch(/^42\s+svc:checkout\s+kafka:orders\s+banana\s+-\s+billing\s+banana\s+(just now|\d+s ago)$/);
      expect(lines[2]).toMatch(/^20\s+svc:banana-ranker\s+kafka:ads\s+apple,banana\s+-\s+-\s+banana,apple\s+(just now|\d+s ago)$/);
      expect(lines).toHaveLength(3);
      const json = await cli(["flows", "--label", "apple", "--json"]);
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout) as FlowsBody;
      expect(parsed.flows.map((f) => f.count)).toEqual([30, 20]);
      expect(parsed.flows).toEqual(((await get("/v1/flows?label=apple")).json as FlowsBody).flows);
      expect(await cli(["flows", "--since", "soon"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--since must be a positive duration") as unknown });
      expect(await cli(["flows", "--limit", "0"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--limit must be a positive integer") as unknown });
      expect(await cli(["flows", "extra"])).toMatchObject({ code: 2 });
      expect(await cli(["flows", "--zone", "nope"])).toMatchObject({ code: 1, stderr: 'flowzone: no zone is named "nope"\n' });
      const help = await cli(["flows", "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: flowzone flows /);
    }, { timeoutMs: 20_000 });
  }, 150_000);
});
