import { randomBytes } from "node:crypto";

import { kafkajsConnection, readKafkaClientConfig, type KafkaClientConfig } from "@flowzone/kafka";
import type { SecuredPrincipal } from "@flowzone/kafka-local";
import { Kafka, logLevel } from "kafkajs";

/** The broker jest's globalSetup started (or the external one it was given). */
export function testBrokers(): string[] {
  const brokers = process.env.FLOWZONE_KAFKA_BROKERS;
  if (brokers === undefined || brokers === "") {
    throw new Error("FLOWZONE_KAFKA_BROKERS is not set: run the tests through jest, whose globalSetup starts a broker");
  }
  return brokers.split(",");
}

/**
 * Who a client of the test broker is. On the plaintext broker (project `integration`) nobody:
 * every client connects the same. On the secured broker (project `integration-secured`) the
 * kafka-local principal whose ACLs it gets: `admin` (a super user) for the test's own eyes and
 * hands (creating topics, reading what landed, a group's committed offsets), and for the parts
 * under test the principal they run as in production: `control` for the control plane,
 * `decision` for the decision service and the enforcer, `producer` for applications' records.
 */
export type TestPrincipal = SecuredPrincipal;

/** The variable holding `principal`'s client properties file on the secured broker (set by secured-kafka-env.ts). */
export function testKafkaConfigVariable(principal: TestPrincipal): string {
  return `FLOWZONE_TEST_KAFKA_CONFIG_${principal.toUpperCase()}`;
}

/**
 * `principal`'s client properties file (what FLOWZONE_KAFKA_CONFIG names) on the secured broker;
 * undefined on the plaintext one.
 */
export function testKafkaConfigFile(principal: TestPrincipal): string | undefined {
  const file = process.env[testKafkaConfigVariable(principal)];
  return file === undefined || file === "" ? undefined : file;
}

/** `principal`'s TLS and SASL settings, read from its file, for createKafka and the services' options; undefined on the plaintext broker. */
export function testKafkaConfig(principal: TestPrincipal): KafkaClientConfig | undefined {
  const file = testKafkaConfigFile(principal);
  return file === undefined ? undefined : readKafkaClientConfig(file);
}

/** A kafkajs client on the test broker, quiet unless something breaks; on the secured broker as `principal` (the super user unless given). */
export function testKafka(clientId: string, principal: TestPrincipal = "admin"): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.ERROR, ...kafkajsConnection(testKafkaConfig(principal)) });
}

/** A topic name no other test uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
