import type { Kafka } from "kafkajs";

/** How often the coordinator is asked while a fresh broker creates and loads its offsets topic. */
const POLL_MS = 200;

/**
 * Resolves once the broker answers for consumer groups. A broker that has just been formatted
 * creates its offsets topic on the first group lookup and loads it; until then every consumer's
 * join is refused and kafkajs backs off exponentially, so the first consumer of a fresh broker
 * would wait seconds longer than the coordinator takes. Asking at a short, steady interval first
 * ends that wait as soon as the coordinator is ready.
 *
 * @throws Error when the coordinator does not answer within `timeoutMs`.
 */
export async function awaitGroupCoordinator(kafka: Kafka, timeoutMs: number): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await admin.describeGroups(["flowzone-coordinator-probe"]);
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`the broker's group coordinator did not answer within ${timeoutMs} ms: ${error instanceof Error ? error.message : String(error)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
