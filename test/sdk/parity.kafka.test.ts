/**
 * Embedded and remote decide alike: on the example bundle, a grid of writes built from its
 * assets, labels and purposes is checked both ways (cache off), and every outcome, violation and
 * request error must match.
 */
import { readdir, readFile, rm } from "node:fs/promises";
import { join, relative } from "node:path";

import { FlowRequestError, type Flow, type FlowDecision, type GuardedProducer } from "@flowzone/sdk";
import { embeddedDecider } from "@flowzone/sdk/embedded";

import { testBrokers, uniqueTopic } from "../support/kafka";
import { startPdp, type Pdp } from "../pdp/pdp-harness";
import { guardedProducer, tempDir } from "./sdk-harness";

const EXAMPLE = join(__dirname, "..", "..", "examples", "bundle");

async function readBundle(dir: string, root = dir): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, await readBundle(path, root));
    else if (/\.ya?ml$/.test(entry.name)) files[relative(root, path)] = await readFile(path, "utf8");
  }
  return files;
}

const TOPICS = ["banana-events", "banana-clicks", "crm-contacts", "care-appointments", "device-pings", "export-daily", "ads-feed", "banana-export"];
const LABELS = [[], ["banana"], ["pii.email"], ["pii.phone", "telemetry"], ["health"], ["location.precise"], ["banana", "health"], ["nope"]];
const SOURCES = [[], ["kafka:banana-events"], ["table:dw.users"], ["svc:care-portal"], ["kafka:device-pings", "table:dw.service_metrics"], ["kafka:unknown"]];
const PURPOSES = ["", "banana", "support", "care-research"];
const PRODUCERS = ["svc:banana-app", "svc:support-desk"];

interface Case {
  readonly topic: string;
  readonly flow: Flow;
}

function grid(): Case[] {
  const cases: Case[] = [];
  for (const topic of TOPICS)
    for (const labels of LABELS)
      for (const sources of SOURCES)
        for (const purpose of PURPOSES) cases.push({ topic, flow: { producer: PRODUCERS[cases.length % 2] ?? "svc:x", labels, sources, purpose } });
  return cases;
}

/** What must agree: outcome and violations, or the request error's field and value. */
async function outcome(producer: GuardedProducer, c: Case): Promise<unknown> {
  try {
    const d: FlowDecision = await producer.check({ topic: c.topic, messages: [], flow: c.flow });
    return { outcome: d.outcome, violations: [...d.violations].sort((a, b) => `${a.zone}/${a.rule}`.localeCompare(`${b.zone}/${b.rule}`)) };
  } catch (error) {
    if (error instanceof FlowRequestError) return { requestError: [error.field, error.value] };
    throw error;
  }
}

describe("embedded and remote decisions on the example bundle", () => {
  let pdp: Pdp;
  let dir: string;
  let remote: GuardedProducer;
  let embedded: GuardedProducer;

  beforeAll(async () => {
    pdp = await startPdp({ files: await readBundle(EXAMPLE), kafka: { brokers: testBrokers(), auditTopic: uniqueTopic("sdk-parity-audit"), controlTopic: uniqueTopic("sdk-parity-control") } });
    dir = await tempDir("flowzone-sdk-parity-");
    remote = await guardedProducer({ decider: { mode: "remote", address: pdp.address, deadlineMs: 5_000 }, cacheMaxEntries: 0 });
    embedded = await guardedProducer({
      decider: embeddedDecider({ policyDir: EXAMPLE, auditSpoolDir: join(dir, "spool"), auditTopic: uniqueTopic("sdk-parity-audit"), controlTopic: uniqueTopic("sdk-parity-control"), flowsTopic: uniqueTopic("sdk-parity-flows") }),
      cacheMaxEntries: 0,
    });
  }, 60_000);
  afterAll(async () => {
    await remote.disconnect();
    await embedded.disconnect();
    await pdp.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives the same outcome, violations and request errors for every write of the grid", async () => {
    const cases = grid();
    const differences: string[] = [];
    const seen = { allow: 0, deny: 0, wouldDeny: 0, requestErrors: 0 };
    for (let i = 0; i < cases.length; i += 64) {
      const chunk = cases.slice(i, i + 64);
      const pairs = await Promise.all(chunk.map(async (c) => [c, await outcome(remote, c), await outcome(embedded, c)] as const));
      for (const [c, r, e] of pairs) {
        if (JSON.stringify(r) !== JSON.stringify(e)) differences.push(`${c.topic} ${JSON.stringify(c.flow)}: remote ${JSON.stringify(r)} embedded ${JSON.stringify(e)}`);
        const o = r as { outcome?: string; violations?: unknown[]; requestError?: unknown };
        if (o.requestError !== undefined) seen.requestErrors += 1;
        else if (o.outcome === "deny") seen.deny += 1;
        else if ((o.violations?.length ?? 0) > 0) seen.wouldDeny += 1;
        else seen.allow += 1;
      }
    }
    expect(differences.slice(0, 5)).toEqual([]);
    // The grid exercises every kind of answer, so agreement means something.
    expect(seen.allow).toBeGreaterThan(0);
    expect(seen.deny).toBeGreaterThan(0);
    expect(seen.wouldDeny).toBeGreaterThan(0);
    expect(seen.requestErrors).toBeGreaterThan(0);
    expect(cases.length).toBe(1536);
  }, 120_000);
});
