import { readFileSync } from "node:fs";

import { parsed, type Setting } from "@flowzone/service-kit";

import { parseClientProperties } from "./client-properties";
import { errorMessage } from "./error-message";
import { kafkaClientConfig, type KafkaClientConfig } from "./kafka-client-config";

/**
 * `FLOWZONE_KAFKA_CONFIG`: a Kafka client properties file (librdkafka's names, the file `kcat -F`
 * takes) saying how every Kafka client of the command connects: TLS, SASL, and optionally
 * `bootstrap.servers`. Read once at start-up with the PEM files it names, so a bad file stops
 * the command before anything starts. Unset, clients connect in plaintext as before.
 */
export const KAFKA_CONFIG_SETTING: Setting<KafkaClientConfig | undefined> = parsed({
  env: "FLOWZONE_KAFKA_CONFIG",
  description: "Kafka client properties file (librdkafka names, as kcat -F takes): security.protocol, sasl.*, ssl.*.location, bootstrap.servers; unset, plaintext.",
  parse: readKafkaClientConfig,
});

/**
 * Reads a Kafka client properties file and the PEM files it names (what `FLOWZONE_KAFKA_CONFIG`
 * does; SDK users call it with their own file and pass `kafkajsConnection` of it to kafkajs).
 *
 * @throws Error naming the line and the property that is wrong, or saying the file cannot be read.
 */
export function readKafkaClientConfig(file: string): KafkaClientConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot be read: ${errorMessage(error)}`);
  }
  return kafkaClientConfig(file, parseClientProperties(text), (path) => readFileSync(path, "utf8"));
}

/** The brokers a command uses: `--brokers` / `FLOWZONE_KAFKA_BROKERS`, else the file's `bootstrap.servers`. */
export function configuredBrokers(brokers: string[] | undefined, config: KafkaClientConfig | undefined): string[] | undefined {
  return brokers ?? (config?.bootstrapServers === undefined ? undefined : [...config.bootstrapServers]);
}
