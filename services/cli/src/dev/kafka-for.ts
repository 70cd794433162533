import path from "node:path";

import { awaitGroupCoordinator, createKafka } from "@flowzone/kafka";
import { provisionLocalBroker } from "@flowzone/kafka-local";
import type { Logger } from "@flowzone/logging";
import type { StopList } from "@flowzone/service-kit";

/** How long a fresh local broker may take to serve consumer groups. */
export const COORDINATOR_TIMEOUT_MS = 60_000;

/**
 * The Kafka that local commands use: the given brokers, or, when none are given, a single-node
 * broker provisioned under `homeDir/kafka` (jars cached there, so a second start reuses the first
 * one's download), started on a free port and put on `stops`, to stop after everything that
 * uses it. A local broker is returned once it serves consumer groups, so the services' consumers
 * join at once instead of backing off while it warms up.
 */
export async function kafkaFor(
  stops: StopList,
  brokers: readonly string[] | undefined,
  homeDir: string,
  onProgress: (line: string) => void,
  logger: Logger,
): Promise<readonly string[]> {
  if (brokers !== undefined && brokers.length > 0) return brokers;
  const local = await provisionLocalBroker({ homeDir: path.join(homeDir, "kafka"), onProgress });
  stops.add(() => local.stop());
  onProgress("waiting for the broker's group coordinator");
  await awaitGroupCoordinator(createKafka({ brokers: [local.brokers], clientId: "flowzone-warm-up", logger }), COORDINATOR_TIMEOUT_MS);
  return [local.brokers];
}
