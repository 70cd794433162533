/**
 * Proves that kafkajs 2.2.4 works against the local broker (Kafka 3.9) for everything flowzone
 * uses: admin, produce, consumer groups, and transactions with offsets committed inside them.
 */
import type { Consumer, KafkaMessage } from "kafkajs";

import { testKafka, uniqueTopic } from "../support/kafka";

const kafka = testKafka("kafkajs-compat");

async function readAll(consumer: Consumer, topic: string, expected: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const seen: KafkaMessage[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`read ${seen.length} of ${expected} records from ${topic}`));
    }, timeoutMs);
    void consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message);
        if (seen.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
        return Promise.resolve();
      },
    });
  });
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
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();

    const groupId = uniqueTopic("compat-group-id");
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    const messages = await readAll(consumer, topic, 10);
    await consumer.disconnect();
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

    const consumer = kafka.consumer({ groupId: uniqueTopic("compat-tx-reader"), readUncommitted: false });
    await consumer.connect();
    const messages = await readAll(consumer, output, 3);
    await consumer.disconnect();
    expect(messages.map((m) => m.value?.toString())).toEqual(["kept-1", "kept-2", "kept-3"]);

    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets[0]?.partitions[0]?.offset).toBe("5");
  });
});
