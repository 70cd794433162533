/**
 * The enforcer against topics with a small `max.message.bytes` (issue 9, item 4): a chunk whose
 * audit records (or outputs) for one partition exceed the topic's limit is split instead of
 * retried forever; a single record too large for its target is quarantined with
 * `flowzone-error`; one too large for the quarantine as well leaves a stand-in without its value
 * there; a limit lowered while the enforcer runs is met by splitting the refused send.
 */
import { createKafka } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";
import { startEnforcer, type Route, type RunningEnforcer } from "@flowzone/enforcer";
import { ConfigResourceTypes, type Kafka } from "kafkajs";

import { testBrokers, testKafka } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { readCommittedExactly } from "../support/topic-tail";
import { createTopics, produce, type ProducedRecord } from "../support/topics";
import { decodeAudit, header, testTopics, waitForEnforcerCaughtUp, writeBundleDir, type TestTopics } from "./enforcer-harness";

const kafka = testKafka("enforcer-size-test");
const enforcerKafka = createKafka({ brokers: testBrokers(), clientId: "enforcer-size-under-test", logger: createLogger({ level: "fatal" }) });
const quiet = createLogger({ level: "warn", service: "enforcer-size-test" });
const running: RunningEnforcer[] = [];
const SMALL = 64 * 1024;

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

function routeOf(topics: TestTopics): Route {
  return { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:flowzone-enforcer" };
}

async function start(topics: TestTopics, logger: Logger = quiet): Promise<RunningEnforcer> {
  const enforcer = await startEnforcer({ kafka: enforcerKafka, routes: [routeOf(topics)], policyDir: await writeBundleDir(topics.from), logger, auditTopic: topics.audit, flowsTopic: `${topics.audit}-flows`, sessionTimeoutMs: 6000 });
  running.push(enforcer);
  return enforcer;
}

/** Creates the test's topics, each with one partition; `limits` sets `max.message.bytes` per topic. */
async function createTestTopics(topics: TestTopics, limits: Partial<Record<keyof TestTopics, number>>): Promise<void> {
  for (const name of ["from", "to", "quarantine", "audit"] as const) {
    const limit = limits[name];
    await createTopics(kafka, [topics[name]], limit === undefined ? {} : { config: { "max.message.bytes": String(limit) } });
  }
}

async function readAll(topics: TestTopics): Promise<{ out: string[]; quarantined: Awaited<ReturnType<typeof readCommittedExactly>>; audits: ReturnType<typeof decodeAudit>[] }> {
  const out = (await readCommittedExactly(kafka, topics.to)).map((m) => m.value?.toString() ?? "");
  const quarantined = await readCommittedExactly(kafka, topics.quarantine);
  const audits = (await readCommittedExactly(kafka, topics.audit)).map(decodeAudit);
  return { out, quarantined, audits };
}

function expectUniqueAudits(audits: ReturnType<typeof decodeAudit>[]): void {
  const ids = audits.map((a) => a.id);
  expect(new Set(ids).size).toBe(ids.length);
}

async function setMaxMessageBytes(admin: Kafka, topic: string, bytes: number): Promise<void> {
  const client = admin.admin();
  await client.connect();
  try {
    await client.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: "max.message.bytes", value: String(bytes) }] }] });
    await waitUntil(
      `max.message.bytes of ${topic} to read ${bytes}`,
      async () => (await client.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["max.message.bytes"] }] })).resources[0]?.configEntries[0]?.configValue,
      (value) => value === String(bytes),
    );
  } finally {
    await client.disconnect();
  }
}

describe("the enforcer and max.message.bytes", () => {
  it("splits a chunk whose audit records and outputs exceed the topics' max.message.bytes, and writes each record exactly once", async () => {
    const topics = testTopics("size-chunk");
    await createTestTopics(topics, { to: SMALL, quarantine: SMALL, audit: SMALL });
    // 600 small records, each violating banana (logged), every other one health (enforced): one
    // fetch, one chunk by input bytes, but ~510 KB of audit records for the audit topic's one
    // partition and ~90 KB of outputs each for `to` and quarantine, all limited to 64 KiB.
    const n = 600;
    const value = (i: number): string => `r${i}-${"x".repeat(200)}`;
    await produce(kafka, topics.from, Array.from({ length: n }, (_, i): ProducedRecord => ({ key: `k${i}`, value: value(i), headers: i % 2 === 0 ? { "flowzone-labels": "health" } : {} })));
    const enforcer = await start(topics);

    await waitForEnforcerCaughtUp(kafka, routeOf(topics), 60_000);
    const { out, quarantined, audits } = await readAll(topics);
    expect(out).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 1).map(value));
    expect(quarantined.map((m) => m.value?.toString())).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 0).map(value));
    expect(quarantined.every((m) => header(m, "flowzone-error") === undefined)).toBe(true);
    expect(audits.filter((a) => a.zone === "banana")).toHaveLength(n);
    expect(audits.filter((a) => a.zone === "health")).toHaveLength(n / 2);
    expectUniqueAudits(audits);
    // Sized before sending: no send was refused and no transaction aborted on the way (the batch's
    // audit records in one produce request, ~510 KB for one partition, would have been refused).
    expect(enforcer.stats()).toMatchObject({ records: n, abortedBatches: 0 });
  }, 120_000);

  it("quarantines a record too large for the output topic with flowzone-error, and the records after it flow on", async () => {
    const topics = testTopics("size-one");
    await createTestTopics(topics, { to: SMALL });
    const big = "B".repeat(100 * 1024);
    await produce(kafka, topics.from, [
      { key: "a", value: "before" },
      { key: "b", value: big, headers: { "x-trace": "t-1" } },
      { key: "c", value: "after" },
    ]);
    const enforcer = await start(topics);

    await waitForEnforcerCaughtUp(kafka, routeOf(topics), 60_000);
    const { out, quarantined, audits } = await readAll(topics);
    expect(out).toEqual(["before", "after"]);
    expect(quarantined).toHaveLength(1);
    const held = quarantined[0];
    expect(held?.value?.toString()).toBe(big);
    expect(held?.key?.toString()).toBe("b");
    expect(header(held, "x-trace")).toBe("t-1");
    expect(header(held, "flowzone-error")).toMatch(new RegExp(`too large for ${topics.to}.*max\\.message\\.bytes ${SMALL}`));
    expect(header(held, "flowzone-origin")).toBe(`${topics.from}/0/1`);
    expect(header(held, "flowzone-decision")).toBe(`${topics.from}:0:1`);
    // The decision stands (banana, logging): one audit record per record.
    expect(audits.map((a) => a.zone)).toEqual(["banana", "banana", "banana"]);
    expect(enforcer.stats()).toMatchObject({ records: 3, forwarded: 2, quarantined: 1, abortedBatches: 0 });
  }, 120_000);

  it("leaves a stand-in without the value in quarantine for a record too large for quarantine as well, and logs it as an error", async () => {
    const topics = testTopics("size-both");
    await createTestTopics(topics, { to: SMALL, quarantine: SMALL });
    const big = "B".repeat(100 * 1024);
    await produce(kafka, topics.from, [
      { key: "a", value: "before" },
      { key: "b", value: big, headers: { "x-trace": "t-1", "flowzone-labels": "health" } },
      { key: "c", value: "after" },
    ]);
    const { logger, lines } = collectingLogger("warn");
    const enforcer = await start(topics, logger);

    await waitForEnforcerCaughtUp(kafka, routeOf(topics), 60_000);
    const { out, quarantined, audits } = await readAll(topics);
    expect(out).toEqual(["before", "after"]);
    expect(quarantined).toHaveLength(1);
    const standIn = quarantined[0];
    expect(standIn?.value).toBeNull();
    expect(standIn?.key?.toString()).toBe("b");
    expect(header(standIn, "x-trace")).toBe("t-1");
    expect(header(standIn, "flowzone-error")).toMatch(new RegExp(`too large for ${topics.quarantine}.*max\\.message\\.bytes ${SMALL}.*value.*left out`));
    expect(header(standIn, "flowzone-origin")).toBe(`${topics.from}/0/1`);
    expect(JSON.parse(header(standIn, "flowzone-violations") ?? "[]")).toHaveLength(2);
    expect(audits.map((a) => a.zone).sort()).toEqual(["banana", "banana", "banana", "health"]);
    const logged = lines.find((line) => line["level"] === 50 && line["offset"] === "1");
    expect(logged).toMatchObject({ topic: topics.from, partition: 0, offset: "1" });
    expect(enforcer.stats()).toMatchObject({ records: 3, forwarded: 2, quarantined: 1, abortedBatches: 0 });
  }, 120_000);

  it("splits a send the broker refuses after max.message.bytes was lowered under the running enforcer, and quarantines the record that still does not fit", async () => {
    const topics = testTopics("size-lowered");
    await createTestTopics(topics, {});
    const enforcer = await start(topics);
    const limit = 16 * 1024;
    await setMaxMessageBytes(kafka, topics.to, limit);

    const n = 200;
    const value = (i: number): string => (i === 100 ? `r${i}-${"L".repeat(20 * 1024)}` : `r${i}-${"x".repeat(200)}`);
    await produce(kafka, topics.from, Array.from({ length: n }, (_, i): ProducedRecord => ({ key: `k${i}`, value: value(i) })));

    await waitForEnforcerCaughtUp(kafka, routeOf(topics), 90_000);
    const { out, quarantined, audits } = await readAll(topics);
    expect(out).toEqual(Array.from({ length: n }, (_, i) => i).filter((i) => i !== 100).map(value));
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.value?.toString()).toBe(value(100));
    expect(header(quarantined[0], "flowzone-error")).toContain(topics.to);
    expect(header(quarantined[0], "flowzone-origin")).toBe(`${topics.from}/0/100`);
    expect(audits).toHaveLength(n);
    expectUniqueAudits(audits);
    expect(enforcer.stats().abortedBatches).toBeGreaterThan(0);
  }, 150_000);
});
