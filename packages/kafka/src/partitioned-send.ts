import { Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type RecordMetadata, type TopicMessages } from "kafkajs";

/** How long a topic's partition count is trusted: partitions are added rarely, and by hand. */
const COUNT_TTL_MS = 60_000;

type Partitioner = ReturnType<typeof Partitioners.DefaultPartitioner>;

/**
 * Sends records as one kafkajs send per topic partition, never one send spanning several
 * partition leaders.
 *
 * Why: kafkajs (2.2.4, tulios/kafkajs#1303, still open) retries a failed send broker by broker,
 * remembering which brokers answered and sending again only to the others, with the partitions
 * regrouped by the leaders the refreshed metadata names. When a broker stops mid-send, a partition
 * can move onto a broker that had already answered (its records are never sent, yet the send
 * resolves: lost, and a transaction commits without them) or away from one (its records are sent
 * twice under new sequence numbers: duplicated inside the transaction). And when one broker's
 * request fails while another's is still in flight, kafkajs starts the next attempt at once: the
 * broker still working is sent its partitions again, and its second answer replaces its first,
 * so the answer lists them once while they were written twice (one send of every partition, its answer
 * checked partition by partition, let five records into committed transactions twice in the
 * three-node failover test). A send of one partition has one leader at a time, so kafkajs
 * retries all of it or none. It costs throughput: an idempotent producer holds a lock per broker
 * for each request, so a batch's partitions on one broker go one round trip after another.
 *
 * Each record's partition is chosen here, explicitly, by kafkajs's own default partitioner (Java's
 * murmur2 of the key, round robin without one), so records land where a plain send would put
 * them. That needs the topic's partition count: read through an admin client, kept for
 * {@link COUNT_TTL_MS}. A topic whose count cannot be read is sent as one kafkajs send, as before.
 */
export class PartitionedSender {
  /** Created and connected on first use, so a sender that never sends opens no connection. */
  private admin: Admin | undefined;
  private connected: Promise<void> | undefined;
  private readonly counts = new Map<string, { readonly partitions: number; readonly readAt: number }>();
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly kafka: Pick<Kafka, "admin">) {}

  /**
   * Sends every topic's records through `sendBatch`, one call per partition, all at once; resolves
   * when all were acknowledged, rejects with the first failure once every call has ended (so a
   * caller that aborts a transaction or retries does so with nothing in flight).
   */
  async send(topicMessages: readonly TopicMessages[], sendBatch: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    const counts = new Map<string, number | undefined>();
    for (const { topic } of topicMessages) counts.set(topic, await this.partitionsOf(topic));
    const parts = splitByPartition(topicMessages, (topic) => counts.get(topic), this.partitioner);
    const settled = await Promise.allSettled(parts.map((part) => sendBatch(part)));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return settled.flatMap((result) => (result.status === "fulfilled" ? result.value : []));
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.admin?.disconnect();
  }

  /** The topic's partition count, as read within the last {@link COUNT_TTL_MS}; undefined when it cannot be read. */
  private async partitionsOf(topic: string): Promise<number | undefined> {
    const known = this.counts.get(topic);
    if (known !== undefined && Date.now() - known.readAt < COUNT_TTL_MS) return known.partitions;
    try {
      const admin = (this.admin ??= this.kafka.admin());
      this.connected ??= admin.connect().catch((error: unknown) => {
        this.connected = undefined;
        throw error;
      });
      await this.connected;
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions.length ?? 0;
      if (partitions === 0) return known?.partitions;
      this.counts.set(topic, { partitions, readAt: Date.now() });
      return partitions;
    } catch {
      return known?.partitions;
    }
  }
}

/**
 * One item per topic partition, each message given its partition (a message's own partition kept),
 * in the order given within each partition. A topic whose partition count is unknown stays one
 * item, its messages as they were.
 *
 * The partition of a string key is computed once per call and reused for its other messages:
 * kafkajs' partitioner runs murmur2 on Long objects and filters the partition list for every
 * message, and a batch repeats few keys (the audit trail's key is the zone: 500 records, a few
 * dozen keys). Messages without a key or with a Buffer key still go to the partitioner each.
 */
export function splitByPartition(topicMessages: readonly TopicMessages[], partitionsOf: (topic: string) => number | undefined, partitioner: Partitioner): TopicMessages[][] {
  const parts: TopicMessages[][] = [];
  for (const { topic, messages } of topicMessages) {
    const count = partitionsOf(topic);
    if (count === undefined) {
      parts.push([{ topic, messages }]);
      continue;
    }
    const partitionMetadata = Array.from({ length: count }, (_, partitionId): PartitionMetadata => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] }));
    const byPartition = new Map<number, TopicMessages["messages"]>();
    const partitionOfKey = new Map<string, number>();
    for (const message of messages) {
      // A message's own partition wins over its key, so only keyed messages without one are remembered.
      const key = typeof message.key === "string" && message.partition === undefined ? message.key : undefined;
      let partition = key === undefined ? undefined : partitionOfKey.get(key);
      if (partition === undefined) {
        partition = partitioner({ topic, partitionMetadata, message });
        if (key !== undefined) partitionOfKey.set(key, partition);
      }
      // A literal of Message's fields, not a spread: this runs for every record flowzone sends.
      const placed: Message = { key: message.key, value: message.value, partition, headers: message.headers, timestamp: message.timestamp };
      const list = byPartition.get(partition);
      if (list === undefined) byPartition.set(partition, [placed]);
      else list.push(placed);
    }
    for (const partitionMessages of byPartition.values()) parts.push([{ topic, messages: partitionMessages }]);
  }
  return parts;
}
