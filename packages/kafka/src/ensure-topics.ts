import type { Kafka } from "kafkajs";

import { createTopicsAndAwaitLeaders } from "./create-topics";
import { topicReplication } from "./topic-replication";

/** A topic flowzone needs. */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions?: number;
  /** Compacted topics keep the latest record per key (the control and flows topics). */
  readonly compacted?: boolean;
  /** `retention.ms` (-1: kept forever); unset, the broker's default. */
  readonly retentionMs?: number;
}

/**
 * Creates the topics that do not exist yet, replicated as {@link topicReplication} says for the
 * brokers the cluster's metadata lists now; existing topics are left as they are.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    const { replicationFactor, minInSyncReplicas } = topicReplication((await admin.describeCluster()).brokers.length);
    await createTopicsAndAwaitLeaders(
      admin,
      missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions ?? 1,
        replicationFactor,
        configEntries: [
          { name: "min.insync.replicas", value: String(minInSyncReplicas) },
          ...(spec.compacted === true ? [{ name: "cleanup.policy", value: "compact" }] : []),
          ...(spec.retentionMs === undefined ? [] : [{ name: "retention.ms", value: String(spec.retentionMs) }]),
        ],
      })),
    );
  } finally {
    await admin.disconnect();
  }
}
