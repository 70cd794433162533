import { Kafka, logLevel } from "kafkajs";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { uniqueTopic } from "../support/kafka";

describe("a test's own broker", () => {
  let broker: OwnBroker;

  beforeAll(async () => {
    broker = await startOwnBroker();
  }, 120_000);
  afterAll(async () => {
    await broker.dispose();
  });

  it("keeps its records across a kill and a restart on the same address", async () => {
    const kafka = new Kafka({ clientId: "own-broker", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const topic = uniqueTopic("own-broker");
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: "before" }] });
    await producer.disconnect();

    await broker.kill();
    await broker.start();

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets[0]?.high).toBe("1");
  }, 120_000);
});
