import { Kafka, logLevel } from "kafkajs";

/** How often the cluster is asked while its brokers register. */
const POLL_MS = 250;

/**
 * Resolves once the cluster's metadata, as the broker at `address` answers it, lists `count`
 * brokers. Each node logs that it serves once its own broker is registered; the others learn of
 * it through the metadata log a moment later, and a client bootstrapping from any node must see
 * the whole cluster.
 *
 * @throws Error naming how many brokers were seen when fewer than `count` are listed within `timeoutMs`.
 */
export async function awaitBrokerCount(address: string, count: number, timeoutMs: number): Promise<void> {
  const kafka = new Kafka({ clientId: "kafka-local-membership", brokers: [address], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin({ retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  let seen = "no answer yet";
  try {
    for (;;) {
      try {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        if (brokers.length >= count) return;
        seen = `${brokers.length} registered`;
      } catch (error) {
        seen = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`the local Kafka cluster at ${address} did not list ${count} brokers within ${timeoutMs} ms (${seen})`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await admin.disconnect();
  }
}
