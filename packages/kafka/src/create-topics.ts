import type { Admin, ITopicConfig } from "kafkajs";

import { errorMessage } from "./error-message";

/** How long the created topics may take to have a leader for every partition. */
const DEFAULT_LEADERS_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

/** Errors that mean the broker asked has not learnt of the new topic, or its leaders, yet, or a named leader does not serve yet. */
const NOT_YET = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE", "NOT_LEADER_FOR_PARTITION", "NOT_LEADER_OR_FOLLOWER"]);

/**
 * Creates the topics and resolves once every partition's leader serves as one. The cluster's
 * metadata must first give each partition a leader: kafkajs's own `waitForLeaders` asks one broker
 * and gives up at once on the UNKNOWN_TOPIC_OR_PARTITION it answers until it has learnt of the
 * topic, and in a KRaft cluster of several nodes each broker learns of it from the metadata log a
 * moment after the creation. Then each named leader must answer a ListOffsets. (Other brokers may
 * still answer UNKNOWN_TOPIC_OR_PARTITION for a moment after this resolves; kafkajs's producers and
 * consumers refresh their metadata and retry on it.) Topics that already exist are left as they
 * are (kafkajs answers false for them).
 */
export async function createTopicsAndAwaitLeaders(admin: Admin, topics: readonly ITopicConfig[], timeoutMs = DEFAULT_LEADERS_TIMEOUT_MS): Promise<void> {
  if (topics.length === 0) return;
  await admin.createTopics({ topics: [...topics], waitForLeaders: false });
  const names = topics.map((spec) => spec.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let why: string;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      const leaderless = found.filter((topic) => topic.partitions.length === 0 || topic.partitions.some((partition) => partition.leader < 0));
      if (leaderless.length === 0) {
        // The metadata names a leader a moment before that broker serves as one (Kafka 3.9 answered
        // a ListOffsets just after with NOT_LEADER_FOR_PARTITION). ListOffsets goes to every
        // partition's leader, so its answer shows they all serve.
        for (const name of names) await admin.fetchTopicOffsets(name);
        return;
      }
      why = `no leader yet for ${leaderless.map((topic) => topic.name).join(", ")}`;
    } catch (error) {
      const type = typeof error === "object" && error !== null && "type" in error ? String(error.type) : "";
      if (!NOT_YET.has(type)) throw error;
      why = errorMessage(error);
    }
    if (Date.now() > deadline) throw new Error(`topics ${names.join(", ")} had no leader for every partition within ${timeoutMs} ms: ${why}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
