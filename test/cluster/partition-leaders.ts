/** Who leads the cluster's partitions, and whether every replica is back in sync: for the broker-stop step. */
import type { ClusterNode } from "../../packages/kafka-local/src/index";
import type { Kafka } from "kafkajs";

import { waitUntil } from "../support/poll";

interface PartitionLeadership {
  readonly leader: number;
  readonly replicas: number;
  readonly inSync: number;
}

/** Every partition of `topics`: its leader, replica count and in-sync replica count. */
async function leadership(kafka: Kafka, topics: readonly string[]): Promise<PartitionLeadership[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    return metadata.topics.flatMap((topic) => topic.partitions.map((p) => ({ leader: p.leader, replicas: p.replicas.length, inSync: p.isr.length })));
  } finally {
    await admin.disconnect();
  }
}

/** The node leading the most partitions of `topics` (the first such node on a tie), and how many it leads. */
export async function busiestNode(kafka: Kafka, nodes: readonly ClusterNode[], topics: readonly string[]): Promise<{ node: ClusterNode; leads: number }> {
  const partitions = await leadership(kafka, topics);
  const ranked = nodes.map((node) => ({ node, leads: partitions.filter((p) => p.leader === node.nodeId).length })).sort((a, b) => b.leads - a.leads);
  const [busiest] = ranked;
  if (busiest === undefined) throw new Error("the cluster has no nodes");
  return busiest;
}

/** Waits until no partition of `topics` is led by `node` (its leaderships moved to the others). */
export async function waitForLeadershipsMoved(kafka: Kafka, node: ClusterNode, topics: readonly string[], timeoutMs = 60_000): Promise<void> {
  await waitUntil(`node ${node.nodeId}'s partitions to move to other leaders`, () => leadership(kafka, topics), (now) => now.every((p) => p.leader !== node.nodeId && p.leader >= 0), { timeoutMs, intervalMs: 500 });
}

/** Waits until every replica of every partition of `topics` is in sync again. */
export async function waitForReplicasInSync(kafka: Kafka, topics: readonly string[], timeoutMs = 120_000): Promise<void> {
  await waitUntil(`every replica of ${topics.join(", ")} back in sync`, () => leadership(kafka, topics), (now) => now.length > 0 && now.every((p) => p.inSync === p.replicas), { timeoutMs, intervalMs: 500 });
}
