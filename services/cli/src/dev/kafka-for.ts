import path from "node:path";

import { provisionLocalBroker } from "@flowzone/kafka-local";
import type { StopList } from "@flowzone/service-kit";

/**
 * The Kafka that local commands use: the given brokers, or, when none are given, a single-node
 * broker provisioned under `homeDir/kafka` (jars cached there, so a second start reuses the first
 * one's download), started on a free port and put on `stops`, to stop after everything that
 * uses it.
 */
export async function kafkaFor(stops: StopList, brokers: readonly string[] | undefined, homeDir: string, onProgress: (line: string) => void): Promise<readonly string[]> {
  if (brokers !== undefined && brokers.length > 0) return brokers;
  const local = await provisionLocalBroker({ homeDir: path.join(homeDir, "kafka"), onProgress });
  stops.add(() => local.stop());
  return [local.brokers];
}
