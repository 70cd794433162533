import { randomBytes } from "node:crypto";

import { Kafka, logLevel } from "kafkajs";

/** The broker jest's globalSetup started (or the external one it was given). */
export function testBrokers(): string[] {
  const brokers = process.env.FLOWZONE_KAFKA_BROKERS;
  if (brokers === undefined || brokers === "") {
    throw new Error("FLOWZONE_KAFKA_BROKERS is not set: run the tests through jest, whose globalSetup starts a broker");
  }
  return brokers.split(",");
}

/** A kafkajs client on the test broker, quiet unless something breaks. */
export function testKafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.ERROR });
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
