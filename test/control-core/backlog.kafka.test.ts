import { decodeAuditRecord, signatureId, startBacklogConsumer, type BacklogConsumer, type Database } from "@flowzone/control";
import { ensureTopics } from "@flowzone/kafka";
import type { Kafka } from "kafkajs";

import { openTestDatabase } from "../support/database";
import { testKafka, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitFor, waitUntil } from "../support/poll";
import { readToEnd } from "../support/topic-tail";
import { endOffsets, produce } from "../support/topics";
import { ManualClock, trafficRecord, violationRecord, type Flow } from "./control-support";

const FLOWS: readonly Flow[] = [
  { zone: "banana", rule: "boundary", producer: "svc:a", sink: "kafka:ads", labels: ["banana"] },
  { zone: "banana", rule: "no-export", producer: "svc:a", sink: "kafka:export-1", labels: ["banana"] },
  { zone: "banana", rule: "boundary", producer: "svc:b", sink: "kafka:ads", labels: ["banana", "pii"] },
  { zone: "apple", rule: "boundary", producer: "svc:c", sink: "kafka:x", labels: ["apple"] },
  { zone: "apple", rule: "boundary", producer: "svc:c", sink: "kafka:y", labels: ["apple"] },
];

async function total(db: Database): Promise<number> {
  const rows = await db.query<{ n: number | null }>("SELECT sum(count) AS n FROM violation_signatures");
  return rows[0]?.n ?? 0;
}

async function countsById(db: Database): Promise<Record<string, number>> {
  const rows = await db.query<{ id: string; count: number }>("SELECT id, count FROM violation_signatures ORDER BY id");
  return Object.fromEntries(rows.map((row) => [row.id, row.count]));
}

describe("backlog consumer", () => {
  let kafka: Kafka;
  let db: Database;
  let drop: () => Promise<void>;
  const consumers: BacklogConsumer[] = [];
  const clock = new ManualClock();

  beforeEach(async () => {
    kafka = testKafka("control-backlog-test");
    ({ db, drop } = await openTestDatabase());
  });

  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.close();
    await drop();
  });

  async function start(topic: string, groupId: string, logger = collectingLogger().logger): Promise<BacklogConsumer> {
    const consumer = await startBacklogConsumer({ kafka, database: db, logger, clock, topic, groupId });
    consumers.push(consumer);
    return consumer;
  }

  it("counts every violation exactly once across a restart mid-stream and a consumer without Kafka offsets", async () => {
    const topic = uniqueTopic("audit-eo");
    await ensureTopics(kafka, [{ topic, partitions: 3 }]);
    const group = uniqueTopic("control-eo");
    const batch = (n: number, from: number): { key: string; value: Buffer }[] =>
      Array.from({ length: n }, (_, i) => {
        const flow = FLOWS[(i * 7 + from) % FLOWS.length] ?? FLOWS[0];
        if (flow === undefined) throw new Error("no flow");
        return i % 50 === 0 ? trafficRecord(flow.zone, 10, clock.now() + i) : violationRecord(flow, clock.now() + i);
      });
    await produce(kafka, topic, batch(3000, 0));

    const first = await start(topic, group);
    await waitFor("the first consumer to store something", async () => (await total(db)) > 0, { timeoutMs: 20_000 });
    await first.close();
    consumers.splice(consumers.indexOf(first), 1);
    const partial = await total(db);

    await produce(kafka, topic, batch(3000, 3));
    await start(topic, group);
    // What the audit topic says, decoded independently of the consumer.
    const expected: Record<string, number> = {};
    let decisions = 0;
    for (const message of await readToEnd(kafka, topic)) {
      const { fact } = decodeAuditRecord(message.value ?? Buffer.alloc(0), 0);
      if (fact.kind === "violation") expected[signatureId(fact)] = (expected[signatureId(fact)] ?? 0) + 1;
      if (fact.kind === "traffic") decisions += fact.decisions;
    }
    const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(expectedTotal).toBe(6000 - 120);
    expect(partial).toBeLessThanOrEqual(expectedTotal);
    await waitUntil(`the restarted consumer to catch up to ${expectedTotal} violations`, () => total(db), (n) => n === expectedTotal, { timeoutMs: 30_000 });
    expect(await countsById(db)).toEqual(expected);

    // A consumer in a fresh group has no Kafka offsets at all: the stored offsets keep it from counting again.
    // It logs each batch it stored at debug level: once it has stored a batch ending at the end offset of
    // every partition, it has read the whole topic, and anything it counted again is in the database.
    const ends = [...(await endOffsets(kafka, topic))].map(([partition, high]) => ({ partition, high }));
    const fresh = collectingLogger("debug");
    await start(topic, uniqueTopic("control-fresh"), fresh.logger);
    const storedThrough = (partition: number): number =>
      Math.max(0, ...fresh.lines.filter((line) => line["msg"] === "backlog batch stored" && line["partition"] === partition).map((line) => Number(line["lastOffset"]) + 1));
    await waitFor(
      `the consumer in a fresh group to store every partition up to its end offset (${ends.map(({ partition, high }) => `${partition}:${high}`).join(", ")})`,
      () => ends.every(({ partition, high }) => storedThrough(partition) >= high),
      { timeoutMs: 30_000 },
    );
    expect(await countsById(db)).toEqual(expected);
    const stored = await db.query<{ n: number }>("SELECT sum(decisions) AS n FROM zone_decisions");
    expect(stored[0]?.n).toBe(decisions);
    const offsets = await db.query<{ next: number }>("SELECT sum(next_offset) AS next FROM consumed_offsets WHERE topic = $1", [topic]);
    expect(offsets[0]?.next).toBe(6000);
  }, 90_000);

  it("reopens a resolved signature only for a record newer than its resolution", async () => {
    const topic = uniqueTopic("audit-reopen");
    await ensureTopics(kafka, [{ topic }]);
    const flow = FLOWS[0] ?? FLOWS[1];
    if (flow === undefined) throw new Error("no flow");
    const id = signatureId(flow);
    const t0 = clock.now();
    await produce(kafka, topic, [violationRecord(flow, t0)]);
    await start(topic, uniqueTopic("control-reopen"));
    await waitUntil("the first record", () => total(db), (n) => n === 1, { timeoutMs: 20_000 });
    const resolvedAt = new Date(t0 + 10_000).toISOString();
    await db.query("UPDATE violation_signatures SET status = 'resolved', resolution = 'fixed', resolved_at = $2::timestamptz WHERE id = $1", [id, resolvedAt]);

    await produce(kafka, topic, [violationRecord(flow, t0 + 5_000)]);
    await waitUntil("the in-flight record", () => total(db), (n) => n === 2, { timeoutMs: 20_000 });
    const inFlight = await db.query("SELECT status, resolution, reopened FROM violation_signatures WHERE id = $1", [id]);
    expect(inFlight).toEqual([{ status: "resolved", resolution: "fixed", reopened: 0 }]);

    await produce(kafka, topic, [violationRecord(flow, t0 + 20_000)]);
    await waitUntil("the recurrence", () => total(db), (n) => n === 3, { timeoutMs: 20_000 });
    const reopened = await db.query<{ status: string; resolution: string | null; reopened: number; resolved_at: Date | null; last_seen: Date }>(
      "SELECT status, resolution, reopened, resolved_at, last_seen FROM violation_signatures WHERE id = $1",
      [id],
    );
    expect(reopened).toEqual([{ status: "open", resolution: null, reopened: 1, resolved_at: null, last_seen: new Date(t0 + 20_000) }]);
  }, 60_000);

  it("does not reopen a policy or exception resolution for a record decided under an older epoch", async () => {
    const topic = uniqueTopic("audit-stale");
    await ensureTopics(kafka, [{ topic }]);
    const flow = FLOWS[2];
    if (flow === undefined) throw new Error("no flow");
    const id = signatureId(flow);
    const t0 = clock.now();
    await produce(kafka, topic, [violationRecord(flow, t0, "sha256:old@4")]);
    await start(topic, uniqueTopic("control-stale"));
    await waitUntil("the first record", () => total(db), (n) => n === 1, { timeoutMs: 20_000 });
    // Resolved by the policy change published at epoch 5, at t0 + 10s.
    await db.query(
      "UPDATE violation_signatures SET status = 'resolved', resolution = 'policy_change', resolved_at = $2::timestamptz, resolved_epoch = 5 WHERE id = $1",
      [id, new Date(t0 + 10_000).toISOString()],
    );

    // Decided after the resolution by a decision service the change had not reached yet.
    await produce(kafka, topic, [violationRecord(flow, t0 + 11_000, "sha256:old@4")]);
    await waitUntil("the stale record", () => total(db), (n) => n === 2, { timeoutMs: 20_000 });
    const stale = await db.query("SELECT status, resolution, reopened, resolved_epoch FROM violation_signatures WHERE id = $1", [id]);
    expect(stale).toEqual([{ status: "resolved", resolution: "policy_change", reopened: 0, resolved_epoch: 5 }]);

    await produce(kafka, topic, [violationRecord(flow, t0 + 12_000, "sha256:new@5")]);
    await waitUntil("the recurrence under the change", () => total(db), (n) => n === 3, { timeoutMs: 20_000 });
    const reopened = await db.query("SELECT status, resolution, reopened, resolved_epoch FROM violation_signatures WHERE id = $1", [id]);
    expect(reopened).toEqual([{ status: "open", resolution: null, reopened: 1, resolved_epoch: null }]);
  }, 60_000);

  it("logs and skips a record it cannot decode, with its position, and keeps going", async () => {
    const topic = uniqueTopic("audit-bad");
    await ensureTopics(kafka, [{ topic }]);
    const flow = FLOWS[3];
    if (flow === undefined) throw new Error("no flow");
    await produce(kafka, topic, [{ key: "banana", value: Buffer.from([0xff, 0xff, 0xff, 0x01]) }, violationRecord(flow, clock.now())]);
    const { logger, lines } = collectingLogger();
    await start(topic, uniqueTopic("control-bad"), logger);
    await waitUntil("the good record after the bad one", () => total(db), (n) => n === 1, { timeoutMs: 20_000 });
    const offsets = await db.query("SELECT partition, next_offset FROM consumed_offsets WHERE topic = $1", [topic]);
    expect(offsets).toEqual([{ partition: 0, next_offset: 2 }]);
    const logged = lines.find((line) => typeof line.msg === "string" && line.msg.includes("cannot be decoded"));
    expect(logged).toMatchObject({ topic, partition: 0, offset: "0", msg: `audit record at ${topic}/0@0 cannot be decoded: skipped (its offset is stored)` });
  }, 60_000);
});
