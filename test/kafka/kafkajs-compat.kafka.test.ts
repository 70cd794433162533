/**
 * Proves that kafkajs 2.2.4 works against the local broker for everything flowzone
 * uses: admin, produce, consumer groups, and transactions with offsets committed inside them;
 * and that the patched transactional producer (docs/reference/kafka.md, "kafkajs, patched") asks
 * for its coordinators once.
 */
import type { Consumer, KafkaMessage } from "kafkajs";

import { testKafka, uniqueTopic } from "../support/kafka";
import { waitFor } from "../support/poll";
import { readToEnd } from "../support/topic-tail";
import { endOffsets, produce } from "../support/topics";

const kafka = testKafka("kafkajs-compat");

/**
 * Runs `consumer` (a group member) on `topic` from the beginning until it has read every
 * partition to the end offsets the topic has now; returns what it read. The topic is written
 * without transactions, so the offset after a partition's last record is its end offset.
 */
async function consumeToEnd(consumer: Consumer, topic: string, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const ends = await endOffsets(kafka, topic);
  const seen: KafkaMessage[] = [];
  const next = new Map<number, number>();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      seen.push(message);
      next.set(partition, Number(message.offset) + 1);
      return Promise.resolve();
    },
  });
  await waitFor(
    `the group to read every partition of ${topic} to its end offsets ${[...ends].map(([p, high]) => `${p}:${high}`).join(", ")}`,
    () => [...ends].every(([partition, high]) => (next.get(partition) ?? 0) >= high),
    { timeoutMs, intervalMs: 20 },
  );
  return seen;
}

describe("kafkajs against the local broker", () => {
  const admin = kafka.admin();

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it("describes the cluster and creates topics with partitions", async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    const topic = uniqueTopic("compat-admin");
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
  });

  it("produces and consumes in a consumer group, committing offsets", async () => {
    const topic = uniqueTopic("compat-group");
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await produce(kafka, topic, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));

    const groupId = uniqueTopic("compat-group-id");
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    // Leaving the group commits what it read.
    const messages = await consumeToEnd(consumer, topic).finally(() => consumer.disconnect());
    expect(messages.map((m) => m.value?.toString()).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0]?.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(10);
  });

  it("commits and aborts transactions, with consumed offsets inside them, visible to read_committed", async () => {
    const input = uniqueTopic("compat-tx-in");
    const output = uniqueTopic("compat-tx-out");
    await admin.createTopics({ topics: [{ topic: input }, { topic: output }], waitForLeaders: true });
    const groupId = uniqueTopic("compat-tx-group");

    const producer = kafka.producer({ transactionalId: uniqueTopic("compat-tx"), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic: output, messages: [{ value: "kept-1" }, { value: "kept-2" }] });
    await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: "5" }] }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: output, messages: [{ value: "dropped" }] });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic: output, messages: [{ value: "kept-3" }] });
    await last.commit();
    await producer.disconnect();

    // read_committed, to the end offsets (past the transaction markers): the aborted record is not there.
    const messages = await readToEnd(kafka, output);
    expect(messages.map((m) => m.value?.toString())).toEqual(["kept-1", "kept-2", "kept-3"]);

    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets[0]?.partitions[0]?.offset).toBe("5");
  });

  it("finds a transactional producer's coordinators once, not before every transactional request (patched)", async () => {
    const input = uniqueTopic("compat-coord-in");
    const output = uniqueTopic("compat-coord-out");
    await admin.createTopics({ topics: [{ topic: input }, { topic: output }], waitForLeaders: true });
    const groupId = uniqueTopic("compat-coord-group");
    const producer = kafka.producer({ transactionalId: uniqueTopic("compat-coord"), idempotent: true, maxInFlightRequests: 1 });
    const requests: string[] = [];
    producer.on(producer.events.REQUEST, ({ payload }) => requests.push(payload.apiName));
    await producer.connect();

    const transactions = 5;
    const count = (apiName: string): number => requests.filter((name) => name === apiName).length;
    let firstTransactionLookups = 0;
    for (let offset = 1; offset <= transactions; offset++) {
      const transaction = await producer.transaction();
      await transaction.send({ topic: output, messages: [{ value: `record-${offset}` }] });
      await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(offset) }] }] });
      await transaction.commit();
      // The first transaction finds both coordinators (asking again while a new broker answers
      // COORDINATOR_NOT_AVAILABLE, and retrying an offset commit it refuses as NOT_COORDINATOR,
      // which kafkajs as published did not retry); kafkajs as published asks four times in each
      // transaction after it.
      if (offset === 1) firstTransactionLookups = count("GroupCoordinator");
    }
    await producer.disconnect();

    expect(firstTransactionLookups).toBeGreaterThanOrEqual(2);
    expect(count("GroupCoordinator")).toBe(firstTransactionLookups);
    expect(count("EndTxn")).toBe(transactions);
    expect(count("TxnOffsetCommit")).toBeGreaterThanOrEqual(transactions);
    expect((await readToEnd(kafka, output)).map((m) => m.value?.toString())).toEqual(Array.from({ length: transactions }, (_, i) => `record-${i + 1}`));
    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets[0]?.partitions[0]?.offset).toBe(String(transactions));
  });
});
