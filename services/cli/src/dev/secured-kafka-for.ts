import path from "node:path";

import { awaitGroupCoordinator, createKafka, readKafkaClientConfig, type KafkaClientConfig } from "@flowzone/kafka";
import { provisionSecuredBroker } from "@flowzone/kafka-local";
import type { Logger } from "@flowzone/logging";
import type { StopList } from "@flowzone/service-kit";

import { COORDINATOR_TIMEOUT_MS } from "./kafka-for";

/** The Kafka of `flowzone dev --secure`: one broker, a principal per kind of service. */
export interface SecuredKafka {
  readonly brokers: readonly string[];
  /** The control plane connects as `control`, the only principal that may write the control topic. */
  readonly control: KafkaClientConfig;
  /** The decision service and the enforcer connect as `decision`. */
  readonly decision: KafkaClientConfig;
  /** Client properties files to print: `producer` for applications and kcat, `admin` (a super user) for operators. */
  readonly producerProperties: string;
  readonly adminProperties: string;
}

/**
 * Starts kafka-local's secured broker (SASL_SSL, SCRAM users, flowzone's ACLs) under
 * `homeDir/kafka`, puts it on `stops`, and returns once it serves consumer groups.
 */
export async function securedKafkaFor(stops: StopList, homeDir: string, onProgress: (line: string) => void, logger: Logger): Promise<SecuredKafka> {
  const broker = await provisionSecuredBroker({ homeDir: path.join(homeDir, "kafka"), onProgress });
  stops.add(() => broker.stop());
  const files = broker.clientProperties;
  onProgress("waiting for the broker's group coordinator");
  const admin = createKafka({ brokers: [broker.brokers], clientId: "flowzone-warm-up", logger, config: readKafkaClientConfig(files.admin) });
  await awaitGroupCoordinator(admin, COORDINATOR_TIMEOUT_MS);
  return {
    brokers: [broker.brokers],
    control: readKafkaClientConfig(files.control),
    decision: readKafkaClientConfig(files.decision),
    producerProperties: files.producer,
    adminProperties: files.admin,
  };
}
