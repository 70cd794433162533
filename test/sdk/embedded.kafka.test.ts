/**
 * The guarded producer deciding in process: the same outcomes as the decision service, its own
 * audit records (enforcement point sdk) and flow reports, and a zone flip on the control topic
 * dropping the cache.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";

import { create, toBinary } from "@bufbuild/protobuf";
import { ControlRecordSchema, EnforcementPoint, Mode, type FlowReport } from "@flowzone/proto";
import { FlowDeniedError, FlowRequestError, type GuardedProducer } from "@flowzone/sdk";
import { embeddedDecider } from "@flowzone/sdk/embedded";

import { countsByFlow, readFlowReports } from "../support/flow-reports";
import { uniqueTopic } from "../support/kafka";
import { waitFor, waitUntil } from "../support/poll";
import { createTopics } from "../support/topics";
import { writeBundle } from "../pdp/pdp-harness";
import { SDK_BUNDLE, awaitAuditViolations, guardedProducer, kafka, recordsOf, tempDir } from "./sdk-harness";

/** A clean allow (no labels, no sources): the sentinel write after a refused one. */
const clean = { labels: [] };

describe("guarded producer, embedded decisions", () => {
  let dir: string;
  let producer: GuardedProducer;
  const auditTopic = uniqueTopic("sdk-emb-audit");
  const controlTopic = uniqueTopic("sdk-emb-control");
  const flowsTopic = uniqueTopic("sdk-emb-flows");

  beforeAll(async () => {
    dir = await tempDir("flowzone-sdk-embedded-");
    await writeBundle(join(dir, "policy"), SDK_BUNDLE);
    await createTopics(kafka, [controlTopic]);
    producer = await guardedProducer({
      producer: "svc:sdk-embedded",
      decider: embeddedDecider({ policyDir: join(dir, "policy"), auditSpoolDir: join(dir, "spool"), auditTopic, controlTopic, flowsTopic, flowReportIntervalMs: 300 }),
    });
  }, 60_000);
  afterAll(async () => {
    await producer.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes nothing when denied, and audits each violation itself as the sdk", async () => {
    const topic = uniqueTopic("sdk-emb-out");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: [{ value: "v" }], flow: { labels: ["pii.email"], sources: ["kafka:banana-events"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowDeniedError);
    const denied = error as FlowDeniedError;
    expect(denied.violations.map((v) => [v.zone, v.enforced]).sort()).toEqual([["banana", true], ["email", false]]);
    // The same producer then writes an allowed record to the same topic; once it is acked, the
    // topic read to its end holds that record alone, so the refused one was never written.
    await producer.send({ topic, messages: [{ value: "sentinel" }], flow: clean });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
    const audit = await awaitAuditViolations(auditTopic, `both violation records of decision ${denied.decisionId}`, (all) => all.filter((r) => r.event.case === "violation" && r.event.value.decisionId === denied.decisionId).length >= 2);
    const mine = audit.filter((r) => r.event.case === "violation" && r.event.value.decisionId === denied.decisionId);
    expect(mine.map((r) => r.event.value)).toEqual(expect.arrayContaining([expect.objectContaining({ enforcementPoint: EnforcementPoint.SDK, sink: `kafka:${topic}`, producer: "svc:sdk-embedded" })]));
  }, 60_000);

  it("writes a would-deny write with the labels of its sources in flowzone-labels", async () => {
    const topic = uniqueTopic("banana-emb");
    await createTopics(kafka, [topic]);
    const result = await producer.send({ topic, messages: [{ value: "v" }, { value: "w" }], flow: { labels: ["pii.email"], sources: ["kafka:banana-events"], purpose: "ads" } });
    expect(result.violations).toEqual([expect.objectContaining({ zone: "email", enforced: false })]);
    const records = await recordsOf(topic);
    expect(records.map((r) => r.value)).toEqual(["v", "w"]);
    for (const record of records) {
      expect(record.headers).toEqual({
        "flowzone-labels": "banana,pii.email",
        "flowzone-sources": "kafka:banana-events",
        "flowzone-purpose": "ads",
        "flowzone-decision": result.decisionId,
      });
    }
  }, 30_000);

  it("reports the flows of its writes, those answered from its decision cache too", async () => {
    const topic = uniqueTopic("sdk-emb-flow");
    await createTopics(kafka, [topic]);
    // Three clean allows (the second and third answered from the cache) and one logged violation.
    for (let i = 0; i < 3; i++) await producer.send({ topic, messages: [{ value: `v${i}` }], flow: clean });
    await producer.send({ topic, messages: [{ value: "e" }], flow: { labels: ["pii.email"] } });
    // Other tests of this file write too: wait for this test's own four decisions (to its topic).
    const mine = (reports: readonly FlowReport[]): FlowReport[] => reports.filter((r) => r.sink === `kafka:${topic}`);
    const reports = mine(await waitUntil("this test's four decisions reported", () => readFlowReports(kafka, flowsTopic), (all) => mine(all).reduce((n, r) => n + Number(r.count), 0) >= 4, { timeoutMs: 30_000, intervalMs: 300 }));
    expect(countsByFlow(reports)).toEqual({ [`svc:sdk-embedded kafka:${topic} [] [] `]: 3, [`svc:sdk-embedded kafka:${topic} [pii.email] [] `]: 1 });
    for (const report of reports) {
      expect(report.enforcementPoint).toBe(EnforcementPoint.SDK);
      expect(report.reporter).toMatch(/^sdk-/);
    }
  }, 60_000);

  it("drops the cache when a zone flip arrives on the control topic", async () => {
    const topic = uniqueTopic("sdk-emb-loc");
    await createTopics(kafka, [topic]);
    const flow = { labels: ["loc"] };
    await producer.send({ topic, messages: [{ value: "1" }], flow });
    await producer.send({ topic, messages: [{ value: "2" }], flow });
    const before = producer.stats();
    expect(before.cacheHits).toBeGreaterThanOrEqual(1);

    const publisher = kafka.producer();
    await publisher.connect();
    const flip = create(ControlRecordSchema, { epoch: 3n, item: { case: "zoneMode", value: { zone: "loc", mode: Mode.ENFORCEMENT } } });
    await publisher.send({ topic: controlTopic, messages: [{ key: "zone/loc", value: Buffer.from(toBinary(ControlRecordSchema, flip)) }] });
    await publisher.disconnect();

    await waitFor("the zone flip on the control topic to drop the cache", () => producer.stats().cacheDrops > before.cacheDrops, { timeoutMs: 15_000, intervalMs: 50 });
    const error = await producer.send({ topic, messages: [{ value: "3" }], flow }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowDeniedError);
    expect((error as FlowDeniedError).policyVersion).toMatch(/@3$/);
    // An allowed write of the same producer to the same topic, then the topic to its end: the two
    // earlier writes and this one, nothing of the denied one.
    await producer.send({ topic, messages: [{ value: "sentinel" }], flow: clean });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["1", "2", "sentinel"]);
  }, 60_000);

  it("throws FlowRequestError for an unknown source, naming it, and writes nothing", async () => {
    const topic = uniqueTopic("sdk-emb-bad");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: [{ value: "v" }], flow: { labels: [], sources: ["kafka:nowhere"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowRequestError);
    expect(error).toMatchObject({ field: "sources[0]", value: "kafka:nowhere" });
    await producer.send({ topic, messages: [{ value: "sentinel" }], flow: clean });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
  }, 30_000);

  it("throws FlowRequestError naming the field and the limit for more labels or sources than the bundle allows, and writes nothing", async () => {
    const topic = uniqueTopic("sdk-emb-counts");
    await createTopics(kafka, [topic]);
    const many = (n: number, item: string): string[] => Array.from({ length: n }, () => item);
    const labels = await producer.send({ topic, messages: [{ value: "v" }], flow: { labels: many(65, "banana") } }).catch((e: unknown) => e);
    expect(labels).toBeInstanceOf(FlowRequestError);
    expect(labels).toMatchObject({ field: "labels", value: "65", message: "flowzone cannot decide this write: labels lists 65 entries; the most accepted is 64 (maxLabels of the bundle's Defaults)" });
    const sources = await producer.send({ topic, messages: [{ value: "v" }], flow: { labels: [], sources: many(65, "kafka:banana-events") } }).catch((e: unknown) => e);
    expect(sources).toMatchObject({ field: "sources", value: "65", message: expect.stringContaining("sources lists 65 entries; the most accepted is 64 (maxSources") as unknown });
    await producer.send({ topic, messages: [{ value: "sentinel" }], flow: clean });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
  }, 30_000);
});
