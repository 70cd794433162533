import { Kafka, logLevel, type LogEntry, type logCreator } from "kafkajs";

import type { Logger } from "@flowzone/logging";

import type { KafkaClientConfig } from "./kafka-client-config";
import { kafkajsConnection } from "./kafkajs-connection";
import { bridgedLevel } from "./kafkajs-log-level";

/** Options for {@link createKafka}. */
export interface KafkaClientOptions {
  /** Broker addresses, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** TLS and SASL from `FLOWZONE_KAFKA_CONFIG`; unset, plaintext without authentication. */
  readonly config?: KafkaClientConfig | undefined;
}

/**
 * A kafkajs client whose log lines (warnings and up) go to the given pino logger, with kafkajs'
 * namespace; transient broker answers during warm-up are demoted ({@link bridgedLevel}). With a
 * `config`, it connects with its TLS material and SASL credentials.
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  // kafkajs warns once per producer that its default partitioner changed in 2.0; flowzone was
  // born on 2.x, so the warning says nothing to its operators.
  process.env["KAFKAJS_NO_PARTITIONER_WARNING"] ??= "1";
  const log = options.logger.child({ component: "kafkajs" });
  const toPino: logCreator =
    () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      // kafkajs' own timestamp and logger name repeat pino's `time` and `component`.
      const fields = Object.fromEntries(Object.entries(rest).filter(([key]) => key !== "timestamp" && key !== "logger"));
      log[bridgedLevel({ level, namespace, message, error: fields["error"], retryTime: fields["retryTime"] })]({ namespace, ...fields }, message);
    };
  return new Kafka({ clientId: options.clientId, brokers: [...options.brokers], logLevel: logLevel.WARN, logCreator: toPino, ...kafkajsConnection(options.config) });
}
