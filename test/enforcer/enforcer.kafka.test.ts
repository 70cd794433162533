/** The enforcer in-process against the shared broker: routing, labels, audit, malformed records, observe-only. */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { createKafka } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";
import { startEnforcer, type RunningEnforcer, type Route } from "@flowzone/enforcer";

import { testBrokers, testKafka } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitFor, waitUntil } from "../support/poll";
import { readToEnd } from "../support/topic-tail";
import { createTopics, produce } from "../support/topics";
import { decodeAudit, expectExactlyOnce, header, inputRecord, processRoute, testTopics, waitForEnforcerCaughtUp, writeBundleDir, bundleYaml } from "./enforcer-harness";

const kafka = testKafka("enforcer-test");
const logger = createLogger({ level: "warn", service: "enforcer-test" });
// The enforcer's own client logs through pino (silenced below error); the test's reads use testKafka.
const enforcerKafka = createKafka({ brokers: testBrokers(), clientId: "enforcer-under-test", logger: createLogger({ level: "fatal" }) });
const running: RunningEnforcer[] = [];

async function start(route: Route, policyDir: string, auditTopic: string, log: Logger = logger, metricsPort?: number): Promise<RunningEnforcer> {
  const enforcer = await startEnforcer({
    kafka: enforcerKafka,
    routes: [route],
    policyDir,
    logger: log,
    auditTopic,
    flowsTopic: `${auditTopic}-flows`,
    sessionTimeoutMs: 6000,
    reloadIntervalMs: 200,
    ...(metricsPort === undefined ? {} : { metricsPort }),
  });
  running.push(enforcer);
  return enforcer;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

describe("the stream enforcer", () => {
  it("forwards logging-mode violations with labels propagated, quarantines enforced ones, and audits each violation with its position", async () => {
    const topics = testTopics("e2e");
    await createTopics(kafka, [topics.from], { partitions: 2 });
    const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:enricher" };
    await start(route, await writeBundleDir(topics.from), topics.audit);
    await produce(kafka, topics.from, [
      { key: "a", value: "plain", headers: { "x-trace": "t-1" } },
      { key: "b", value: "medical", headers: { "flowzone-labels": "health" } },
      { key: "c", value: "from-patients", headers: { "flowzone-sources": "table:patients", "flowzone-purpose": "billing" } },
      { key: "d", value: "tagged", headers: { "flowzone-labels": "banana" } },
    ]);

    await waitForEnforcerCaughtUp(kafka, route);
    const out = await readToEnd(kafka, topics.to);
    const quarantined = await readToEnd(kafka, topics.quarantine);
    const audits = (await readToEnd(kafka, topics.audit)).map(decodeAudit);

    expect(out.map((m) => m.value?.toString()).sort()).toEqual(["plain", "tagged"]);
    const plain = out.find((m) => m.value?.toString() === "plain");
    expect(plain?.key?.toString()).toBe("a");
    expect(header(plain, "x-trace")).toBe("t-1");
    expect(header(plain, "flowzone-labels")).toBe("banana");
    expect(header(plain, "flowzone-sources")).toBe(`kafka:${topics.from}`);
    expect(header(plain, "flowzone-decision")).toMatch(new RegExp(`^${topics.from}:[01]:0$`));

    expect(quarantined.map((m) => m.value?.toString()).sort()).toEqual(["from-patients", "medical"]);
    const patients = quarantined.find((m) => m.value?.toString() === "from-patients");
    expect(header(patients, "flowzone-labels")).toBe("banana,health");
    expect(header(patients, "flowzone-sources")).toBe(`kafka:${topics.from},table:patients`);
    expect(header(patients, "flowzone-purpose")).toBe("billing");
    const violations = JSON.parse(header(patients, "flowzone-violations") ?? "[]") as { zone: string; enforced: boolean; reason: string }[];
    expect(violations.map((v) => `${v.zone}:${v.enforced}`).sort()).toEqual(["banana:false", "health:true"]);
    expect(header(patients, "flowzone-origin")).toMatch(new RegExp(`^${topics.from}/[01]/\\d+$`));

    // One audit record per violation: banana for all four records, health for the two quarantined.
    expect(audits).toHaveLength(6);
    expect(audits.filter((a) => a.zone === "banana")).toHaveLength(4);
    const health = audits.filter((a) => a.zone === "health");
    expect(health).toHaveLength(2);
    for (const audit of audits) {
      expect(audit.event.case).toBe("violation");
      if (audit.event.case !== "violation") continue;
      expect(audit.event.value.enforced).toBe(audit.zone === "health");
      expect(audit.event.value.sink).toBe(`kafka:${topics.to}`);
      expect(audit.event.value.producer).toBe("svc:enricher");
      expect(audit.event.value.position?.topic).toBe(topics.from);
      const position = audit.event.value.position;
      expect(audit.id).toBe(`${topics.from}:${position?.partition}:${position?.offset}/${audit.event.value.rule === "boundary" && audit.zone === "banana" ? 0 : 1}`);
    }
  }, 90_000);

  it("quarantines malformed records with their reason and keeps running", async () => {
    const topics = testTopics("malformed");
    await createTopics(kafka, [topics.from]);
    const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:flowzone-enforcer" };
    await start(route, await writeBundleDir(topics.from), topics.audit);
    await produce(kafka, topics.from, [
      { key: "1", value: "bad-header", headers: { "flowzone-labels": "banana,,health" } },
      { key: "2", value: "unknown-label", headers: { "flowzone-labels": "kiwi" } },
      { key: "3", value: "unknown-source", headers: { "flowzone-sources": "table:nowhere" } },
      { key: "4", value: "" },
      { key: "5", value: "fine-after" },
    ]);
    await waitForEnforcerCaughtUp(kafka, route);
    const quarantined = await readToEnd(kafka, topics.quarantine);
    const out = await readToEnd(kafka, topics.to);
    expect(quarantined).toHaveLength(4);
    const reasons = new Map(quarantined.map((m) => [m.key?.toString(), header(m, "flowzone-error") ?? ""]));
    expect(reasons.size).toBe(4);
    expect(reasons.get("1")).toContain("flowzone-labels");
    expect(reasons.get("2")).toContain("kiwi");
    expect(reasons.get("3")).toContain("table:nowhere");
    expect(reasons.get("4")).toContain("empty value");
    expect(header(quarantined[0], "flowzone-origin")).toBe(`${topics.from}/0/0`);
    expect(out.map((m) => m.value?.toString())).toEqual(["fine-after"]);
  }, 90_000);

  it("quarantines a record whose headers list more labels or sources than the bundle allows, naming the header and the limit", async () => {
    const topics = testTopics("counts");
    await createTopics(kafka, [topics.from]);
    const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:flowzone-enforcer" };
    await start(route, await writeBundleDir(topics.from), topics.audit);
    const list = (n: number, item: string): string => Array.from({ length: n }, () => item).join(",");
    await produce(kafka, topics.from, [
      { key: "labels", value: "x", headers: { "flowzone-labels": list(65, "banana") } },
      { key: "sources", value: "x", headers: { "flowzone-sources": list(65, "table:patients") } },
      { key: "at-the-limit", value: "x", headers: { "flowzone-labels": list(64, "banana") } },
    ]);
    await waitForEnforcerCaughtUp(kafka, route);
    const quarantined = await readToEnd(kafka, topics.quarantine);
    const reasons = Object.fromEntries(quarantined.map((m) => [m.key?.toString() ?? "", header(m, "flowzone-error")]));
    expect(reasons).toEqual({
      labels: "header flowzone-labels lists 65 entries; the most accepted is 64 (maxLabels of the bundle's Defaults)",
      sources: "header flowzone-sources lists 65 entries; the most accepted is 64 (maxSources of the bundle's Defaults)",
    });
    expect((await readToEnd(kafka, topics.to)).map((m) => m.key?.toString())).toEqual(["at-the-limit"]);
  }, 90_000);

  it("at least once, routes, quarantines and audits every record, its offsets committed after the acks", async () => {
    const topics = testTopics("at-least-once");
    await createTopics(kafka, [topics.from], { partitions: 2 });
    const route = processRoute(topics);
    // More records per partition than one chunk holds: a fetched batch goes out in several sends.
    const n = 5000;
    await produce(kafka, topics.from, Array.from({ length: n }, (_, i) => inputRecord(i)));
    const enforcer = await startEnforcer({
      kafka: enforcerKafka,
      routes: [route],
      policyDir: await writeBundleDir(topics.from),
      logger,
      auditTopic: topics.audit,
      flowsTopic: `${topics.audit}-flows`,
      sessionTimeoutMs: 6000,
      deliveryGuarantee: "at-least-once",
    });
    running.push(enforcer);
    await waitForEnforcerCaughtUp(kafka, route);
    expectExactlyOnce(n, await readToEnd(kafka, topics.to), await readToEnd(kafka, topics.quarantine), await readToEnd(kafka, topics.audit));
    expect(enforcer.stats()).toMatchObject({ records: n, abortedBatches: 0 });
  }, 90_000);

  it("only observes and audits on a route without `to`", async () => {
    const topics = testTopics("observe");
    await createTopics(kafka, [topics.from]);
    const route: Route = { name: topics.from, from: topics.from, to: undefined, quarantine: undefined, producer: "svc:watcher" };
    const enforcer = await start(route, await writeBundleDir(topics.from), topics.audit);
    await produce(kafka, topics.from, [{ value: "one" }, { value: "two", headers: { "flowzone-labels": "health" } }]);
    await waitForEnforcerCaughtUp(kafka, route);
    const audits = (await readToEnd(kafka, topics.audit)).map(decodeAudit);
    expect(audits.map((a) => a.zone).sort()).toEqual(["banana", "banana", "health"]);
    for (const audit of audits) if (audit.event.case === "violation") expect(audit.event.value.sink).toBe("svc:watcher");
    await waitFor("both records counted", () => enforcer.stats().records === 2, { timeoutMs: 10_000 });
    expect(enforcer.stats()).toMatchObject({ forwarded: 0, quarantined: 0 });
  }, 90_000);

  it("answers /readyz once its route's consumer joined the group, naming the partitions it holds, and follows a rebalance", async () => {
    const topics = testTopics("probes");
    await createTopics(kafka, [topics.from], { partitions: 2 });
    const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:p" };
    const policyDir = await writeBundleDir(topics.from);
    const first = await start(route, policyDir, topics.audit, logger, 0);
    const probe = async (enforcer: RunningEnforcer, path: string) => {
      const response = await fetch(`http://127.0.0.1:${enforcer.metricsPort ?? 0}${path}`);
      return { status: response.status, body: (await response.json()) as { status: string; routes: { route: string; state: string; partitions: number[] }[] } };
    };
    await waitFor("the first enforcer ready", async () => (await probe(first, "/readyz")).status === 200, { timeoutMs: 30_000 });
    expect((await probe(first, "/readyz")).body).toMatchObject({ status: "ready", routes: [{ route: topics.from, state: "consuming", partitions: [0, 1] }] });
    expect((await probe(first, "/healthz")).status).toBe(200);

    // A second member of the group takes one partition; each reports the one it holds.
    const second = await start(route, policyDir, topics.audit, logger, 0);
    const held = async () => [...(await probe(first, "/healthz")).body.routes, ...(await probe(second, "/healthz")).body.routes].map((r) => r.partitions);
    await waitFor("the partitions split between the two", async () => (await held()).every((partitions) => partitions.length === 1), { timeoutMs: 60_000 });
    expect((await held()).flat().sort()).toEqual([0, 1]);
    expect((await probe(second, "/readyz")).status).toBe(200);
  }, 120_000);

  it("follows bundle edits: a broken edit keeps the old engine, a good one flips what is enforced", async () => {
    const topics = testTopics("reload");
    await createTopics(kafka, [topics.from]);
    const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:flowzone-enforcer" };
    const dir = await writeBundleDir(topics.from);
    const { logger: watched, lines } = collectingLogger();
    const enforcer = await start(route, dir, topics.audit, watched);
    const before = enforcer.policyVersion();
    await writeFile(path.join(dir, "bundle.yaml"), `${bundleYaml(topics.from)}\n---\nkind: Zone\nname: broken\n`);
    await waitFor("the enforcer to read the broken edit and reject it", () => lines.some((line) => line["msg"] === "the policy directory was rejected; the previous version stays in force"), { timeoutMs: 10_000 });
    expect(enforcer.policyVersion()).toBe(before);
    await produce(kafka, topics.from, [{ key: "1", value: "held", headers: { "flowzone-labels": "health" } }]);
    await waitForEnforcerCaughtUp(kafka, route);
    expect((await readToEnd(kafka, topics.quarantine)).map((m) => m.value?.toString())).toEqual(["held"]);
    await writeFile(path.join(dir, "bundle.yaml"), bundleYaml(topics.from, "logging"));
    await waitFor("the new policy version", () => enforcer.policyVersion() !== before, { timeoutMs: 10_000 });
    await produce(kafka, topics.from, [{ key: "2", value: "passes", headers: { "flowzone-labels": "health" } }]);
    await waitForEnforcerCaughtUp(kafka, route);
    // The group's offset commits with the transaction; the output partition's commit marker can land a moment later.
    const out = await waitUntil("the forwarded record to be committed", () => readToEnd(kafka, topics.to), (records) => records.length > 0, { timeoutMs: 10_000, intervalMs: 200 });
    expect(out.map((m) => m.value?.toString())).toEqual(["passes"]);
    expect((await readToEnd(kafka, topics.quarantine)).map((m) => m.value?.toString())).toEqual(["held"]);
    expect(header(out[0], "flowzone-labels")).toBe("banana,health");
  }, 90_000);
});
