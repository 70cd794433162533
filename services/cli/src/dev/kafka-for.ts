import path from "node:path";

import { provisionLocalBroker, type LocalBroker } from "@flowzone/kafka-local";

/** Brokers to use, and the local broker this process started (if it started one). */
export interface KafkaEndpoint {
  readonly brokers: readonly string[];
  readonly local: LocalBroker | undefined;
}

/**
 * The Kafka that local commands use (docs/reference/configuration.md): the given brokers, or, when none
 * are given, a single-node broker provisioned under `homeDir/kafka` (jars cached there, so a
 * second start reuses the first one's download) and started on a free port.
 */
export async function kafkaFor(brokers: readonly string[] | undefined, homeDir: string, onProgress: (line: string) => void): Promise<KafkaEndpoint> {
  if (brokers !== undefined && brokers.length > 0) return { brokers, local: undefined };
  const local = await provisionLocalBroker({ homeDir: path.join(homeDir, "kafka"), onProgress });
  return { brokers: [local.brokers], local };
}
