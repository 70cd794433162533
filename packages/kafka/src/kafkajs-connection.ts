import type { KafkaConfig } from "kafkajs";

import type { KafkaClientConfig } from "./kafka-client-config";

/**
 * The kafkajs `ssl` and `sasl` options of a client configuration, for `new Kafka({ ... })`:
 * {@link createKafka} uses them, and SDK users spread them into their own client. Nothing for a
 * plaintext configuration, so an unconfigured client is what it always was.
 */
export function kafkajsConnection(config: KafkaClientConfig | undefined): Pick<KafkaConfig, "ssl" | "sasl"> {
  const { tls, sasl } = config ?? {};
  return {
    ...(tls === undefined ? {} : { ssl: Object.fromEntries(Object.entries(tls).filter(([, value]) => value !== undefined)) }),
    ...(sasl === undefined ? {} : { sasl }),
  };
}
