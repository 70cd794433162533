/**
 * Stored backlog offsets belong to one incarnation of the audit topic. A recreated topic or a new
 * broker under an old database starts its offsets at 0 again; the backlog must notice, say so
 * once, count it, and read the new incarnation from its start, counting nothing twice.
 */
import { applyBacklogBatch, decodeAuditRecord, DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE, startBacklogConsumer, type BacklogConsumer, type Database } from "@flowzone/control";
import { createTelemetry, METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";
import { Kafka as KafkaClient, logLevel, type Kafka } from "kafkajs";

import { openTestDatabase } from "../support/database";
import { testKafka, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { waitFor, waitUntil } from "../support/poll";
import { produce } from "../support/topics";
import { counterValue, ManualClock, violationRecord, type Flow } from "./control-support";

const FLOW: Flow = { zone: "banana", rule: "boundary", producer: "svc:a", sink: "kafka:ads", labels: ["banana"] };

async function total(db: Database): Promise<number> {
  const rows = await db.query<{ n: number | string | null }>("SELECT sum(count) AS n FROM violation_signatures");
  return Number(rows[0]?.n ?? 0);
}

/** Creates `topic` with one partition, retrying while a deletion of the same name is still pending. */
async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // createTopics answers false (or throws) while the old topic of that name is still there.
    await waitFor(`topic ${topic} to be created`, () => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }), { timeoutMs: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(`topic ${topic} to be deleted`, async () => !(await admin.listTopics()).includes(topic), { timeoutMs: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

const violations = (n: number, clock: ManualClock): { key: string; value: Buffer }[] =>
  Array.from({ length: n }, (_, i) => violationRecord(FLOW, clock.now() + i));

describe("backlog offsets bound to the topic incarnation", () => {
  let db: Database;
  let drop: () => Promise<void>;
  const consumers: BacklogConsumer[] = [];
  const clock = new ManualClock();

  beforeEach(async () => {
    ({ db, drop } = await openTestDatabase());
  });

  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.close();
    await drop();
  });

  async function consume(kafka: Kafka, topic: string, telemetry: Telemetry, logger = collectingLogger().logger): Promise<BacklogConsumer> {
    const consumer = await startBacklogConsumer({ kafka, database: db, logger, clock, topic, groupId: uniqueTopic("control-inc"), telemetry });
    consumers.push(consumer);
    return consumer;
  }

  /**
   * Counts three records of `topic`, then deletes and recreates it with five: offset 3 lies within
   * the new topic, so only the record id at offset 2 tells the incarnations apart.
   */
  async function countThenRecreate(kafka: Kafka, topic: string, telemetry: Telemetry): Promise<void> {
    await createTopic(kafka, topic);
    await produce(kafka, topic, violations(3, clock));
    const first = await consume(kafka, topic, telemetry);
    await waitUntil("the first incarnation to be counted", () => total(db), (n) => n === 3, { timeoutMs: 20_000 });
    await first.close();
    consumers.splice(0);
    await deleteTopic(kafka, topic);
    await createTopic(kafka, topic);
    await produce(kafka, topic, violations(5, clock));
  }

  it("counts a recreated audit topic from its start, even when it holds more records than the old one did", async () => {
    const kafka = testKafka("backlog-recreated");
    const topic = uniqueTopic("audit-recreated");
    const telemetry = createTelemetry({ serviceName: "test" });
    await countThenRecreate(kafka, topic, telemetry);
    const { logger, lines } = collectingLogger();
    await consume(kafka, topic, telemetry, logger);
    await waitUntil("the recreated topic to be counted from its start", () => total(db), (n) => n === 8, { timeoutMs: 30_000 });
    const errors = lines.filter((line) => line["level"] === 50 || line["level"] === "error");
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.["msg"])).toMatch(/another incarnation of the topic \(the record at offset 2 is [0-9a-f]+, not [0-9a-f]+ that was counted there\)/);
    expect(await counterValue(telemetry, METRIC_NAMES.backlogOffsetResets)).toBe(1);
    // Longer than the sum of the steps' own bounds, so a slow step fails under its own name.
  }, 150_000);

  it("keeps reading from the start when the seek to the stored offsets lands after the reset", async () => {
    const kafka = testKafka("backlog-late-seek");
    const topic = uniqueTopic("audit-late-seek");
    const telemetry = createTelemetry({ serviceName: "test" });
    await countThenRecreate(kafka, topic, telemetry);
    // The seek to the stored offsets looks up the partition's bounds first; here that answer is
    // held back until the first batch has found the other incarnation and sought to 0 (as a slow
    // broker or a loaded machine may do), and the seek from the old offsets comes after it.
    let resetLogged!: () => void;
    const reset = new Promise<void>((resolve) => (resetLogged = resolve));
    const { logger } = collectingLogger("info", (line) => {
      if (String(line["msg"]).includes("another incarnation")) resetLogged();
    });
    const lateBounds = Object.create(kafka) as Kafka;
    lateBounds.admin = (config) => {
      const admin = kafka.admin(config);
      const fetchTopicOffsets = admin.fetchTopicOffsets.bind(admin);
      admin.fetchTopicOffsets = async (name) => {
        const bounds = await fetchTopicOffsets(name);
        await reset;
        return bounds;
      };
      return admin;
    };
    await consume(lateBounds, topic, telemetry, logger);
    await reset;
    await waitUntil("the recreated topic to be counted from its start", () => total(db), (n) => n === 8, { timeoutMs: 30_000 });
    expect(await counterValue(telemetry, METRIC_NAMES.backlogOffsetResets)).toBe(1);
  }, 150_000);

  it("counts the audit topic of a new broker under an old database", async () => {
    let broker: OwnBroker | undefined = await startOwnBroker();
    const topic = uniqueTopic("audit-new-broker");
    const kafkaOn = (brokers: string): Kafka => new KafkaClient({ clientId: "backlog-new-broker", brokers: [brokers], logLevel: logLevel.NOTHING });
    const telemetry = createTelemetry({ serviceName: "test" });
    let second: OwnBroker | undefined;
    try {
      const old = kafkaOn(broker.brokers);
      await createTopic(old, topic);
      await produce(old, topic, violations(4, clock));
      const first = await consume(old, topic, telemetry);
      await waitUntil("the old broker's records to be counted", () => total(db), (n) => n === 4, { timeoutMs: 20_000 });
      await first.close();
      consumers.splice(0);
      await broker.dispose();
      broker = undefined;

      second = await startOwnBroker();
      const fresh = kafkaOn(second.brokers);
      await createTopic(fresh, topic);
      await produce(fresh, topic, violations(2, clock));
      const { logger, lines } = collectingLogger();
      await consume(fresh, topic, telemetry, logger);
      await waitUntil("the new broker's records to be counted", () => total(db), (n) => n === 6, { timeoutMs: 30_000 });
      const errors = lines.filter((line) => line["level"] === 50 || line["level"] === "error");
      expect(errors).toHaveLength(1);
      expect(String(errors[0]?.["msg"])).toMatch(/the topic is now on Kafka cluster \S+, its offsets were counted on cluster \S+/);
      expect(await counterValue(telemetry, METRIC_NAMES.backlogOffsetResets)).toBe(1);
    } finally {
      for (const consumer of consumers.splice(0)) await consumer.close();
      await broker?.dispose();
      await second?.dispose();
    }
  }, 120_000);

  it("counts no record twice when a partition is read again from its start under the same records", async () => {
    const records = violations(3, clock).map((message, offset) => ({ offset: String(offset), ...decodeAuditRecord(message.value, 0) }));
    const batch = { topic: "audit", partition: 0, clusterId: "c1", highWatermark: "3", records };
    expect(await applyBacklogBatch(db, batch, clock.now(), DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE)).toEqual({ added: 3, reset: undefined, notStored: new Map() });
    // The log was truncated to one record (an unclean leader election): the stored offset 3 lies beyond its end.
    const truncated = await applyBacklogBatch(db, { ...batch, highWatermark: "1", records: records.slice(0, 1) }, clock.now(), DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE);
    expect(truncated.added).toBe(0);
    expect(truncated.reset).toMatch(/stored offset 3 lies beyond the partition's end \(1\)/);
    // Read again from 0, the same records count nothing; a new one counts.
    const [again] = violations(1, clock).map((message) => ({ offset: "1", ...decodeAuditRecord(message.value, 0) }));
    if (again === undefined) throw new Error("no record");
    expect(await applyBacklogBatch(db, { ...batch, highWatermark: "2", records: [...records.slice(0, 1), again] }, clock.now(), DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE)).toEqual({ added: 1, reset: undefined, notStored: new Map() });
    expect(await total(db)).toBe(4);
  });
});
