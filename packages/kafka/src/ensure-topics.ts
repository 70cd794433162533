import type { Kafka } from "kafkajs";

/** A topic flowzone needs. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions?: number;
  /** Compacted topics keep the latest record per key (the control and flows topics). */
  readonly compacted?: boolean;
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions ?? 1,
        configEntries: spec.compacted === true ? [{ name: "cleanup.policy", value: "compact" }] : [],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
