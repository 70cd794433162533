/** How a topic flowzone creates is replicated. */
export interface TopicReplication {
  readonly replicationFactor: number;
  /** `min.insync.replicas`: how many replicas must have a record before an acks=all write is acknowledged. */
  readonly minInSyncReplicas: number;
}

/**
 * The replication of a topic flowzone creates on a cluster of `brokers` live brokers: three
 * replicas, or every broker of a smaller cluster; with three, two of them must have each record
 * before it is acknowledged (flowzone's producers all write with acks=all), so one broker can be
 * lost or restarted without losing an acknowledged audit or control record or stopping writes.
 * With one or two replicas, one suffices (two would stop every write while either broker is down).
 */
export function topicReplication(brokers: number): TopicReplication {
  if (!Number.isInteger(brokers) || brokers < 1) throw new Error(`cannot replicate topics on a cluster of ${brokers} brokers`);
  const replicationFactor = Math.min(3, brokers);
  return { replicationFactor, minInSyncReplicas: replicationFactor >= 3 ? 2 : 1 };
}
