import { Kafka, logLevel } from "kafkajs";

import { uniqueTopic } from "../support/kafka";
import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { createTopics, endOffsets, produce } from "../support/topics";

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
    await createTopics(kafka, [topic]);
    await produce(kafka, topic, [{ value: "before" }]);

    await broker.kill();
    await broker.start();

    expect(await endOffsets(kafka, topic)).toEqual(new Map([[0, 1]]));
  }, 120_000);
});
