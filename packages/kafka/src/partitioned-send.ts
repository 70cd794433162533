import { partitionOfKey } from "./key-partition";
import type { ProduceRequests } from "./produce-requests";
import { Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type RecordMetadata, type TopicMessages } from "kafkajs";

/** How long a topic's partition count is trusted: partitions are added rarely, and by hand. */
const COUNT_TTL_MS = 60_000;

type Partitioner = ReturnType<typeof Partitioners.DefaultPartitioner>;

/** What is known of a topic's partitions: how many, and which broker leads each (-1 unknown). */
interface TopicLayout {
  readonly partitions: number;
  readonly leaders: readonly number[];
  readonly readAt: number;
}

/**
 * Sends records with one kafkajs send per partition leader: every partition a broker leads goes
 * in one request to it, and the brokers' requests go out at once. Each record's partition is chosen
 * here, explicitly, by kafkajs's own default partitioner (Java's murmur2 of the key, round robin
 * without one), so records land where a plain send would put them; the partition count and the
 * leaders are read through an admin client and kept for {@link COUNT_TTL_MS}, or until a send finds
 * them wrong.
 *
 * Why not one kafkajs send for everything: kafkajs (2.2.4, tulios/kafkajs#1303, still open) retries
 * a failed send broker by broker, remembering which brokers answered and sending again only to the
 * others, with the partitions regrouped by the leaders the refreshed metadata names. When a broker
 * stops mid-send, a partition can move onto a broker that had already answered (its records are
 * never sent, yet the send resolves: lost, and a transaction commits without them) or away from one
 * (sent twice under new sequence numbers). And when one broker's request fails while another's is
 * still in flight, kafkajs starts the next attempt at once: the broker still working is sent its
 * partitions again, and its second answer replaces its first, so the answer lists them once while
 * they were written twice (one send of every partition, its answer checked, let five records into
 * committed transactions twice in the three-node failover test).
 *
 * A send to one leader has none of that while kafkajs agrees on the leader, and this sender checks
 * that it did, after every send:
 * - every partition must be in the answers exactly once. One missing was lost: at least once, it is
 *   sent again on its own; exactly once, the send fails.
 * - exactly once (a transaction's sends, given the producer's {@link ProduceRequests}), each
 *   broker must have answered one Produce request, one per leader sent to. More means kafkajs
 *   sent something again (its leader moved, or a request failed beside another in flight), which
 *   may have written records twice: the send fails, so the caller aborts the transaction and tries
 *   again. A record written twice needs two answered requests, to one broker or to two, so neither
 *   can hide.
 * After a failed or irregular send the layouts are read again. A topic whose layout cannot be read
 * is sent as one kafkajs send per partition (or whole, when even its partition count is unknown),
 * as before this sender grouped by leader: an idempotent producer's requests to one broker then go
 * one round trip after another.
 */
export class PartitionedSender {
  /** Created and connected on first use, so a sender that never sends opens no connection. */
  private admin: Admin | undefined;
  private connected: Promise<void> | undefined;
  private readonly layouts = new Map<string, TopicLayout>();
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly kafka: Pick<Kafka, "admin">) {}

  /**
   * Sends every topic's records through `sendBatch`, one call per leader, all at once; resolves
   * when all were acknowledged, rejects with the first failure once every call has ended (so a
   * caller that aborts a transaction or retries does so with nothing in flight). A transaction's
   * send passes its producer's `exactlyOnce` requests, and rejects rather than risk a record
   * written twice.
   */
  async send(topicMessages: readonly TopicMessages[], sendBatch: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>, exactlyOnce?: ProduceRequests): Promise<RecordMetadata[]> {
    const layouts = new Map<string, TopicLayout | undefined>();
    for (const { topic } of topicMessages) layouts.set(topic, await this.layoutOf(topic));
    const parts = splitByPartition(topicMessages, (topic) => layouts.get(topic)?.partitions, this.partitioner);
    const groups = groupByLeader(parts, (topic, partition) => layouts.get(topic)?.leaders[partition] ?? -1);
    if (groups === undefined) return this.sendEach(parts, sendBatch);
    const stop = exactlyOnce?.watch();
    const settled = await Promise.allSettled(groups.map((group) => sendBatch(group)));
    const brokers = stop?.() ?? [];
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) {
      this.forget(layouts.keys());
      throw failed.reason;
    }
    const answers = settled.flatMap((result) => (result.status === "fulfilled" ? result.value : []));
    const { missing, repeated } = checkAnswers(parts, answers);
    if (exactlyOnce !== undefined) {
      const oneRequestEach = brokers.length === groups.length && new Set(brokers).size === brokers.length;
      if (missing.length === 0 && !repeated && oneRequestEach) return answers;
      this.forget(layouts.keys());
      throw new Error(
        `kafkajs sent part of a transaction's records again (${brokers.length} produce answers from ${new Set(brokers).size} brokers for ${groups.length} leaders; ` +
          `${missing.length} partitions unanswered${repeated ? ", some answered twice" : ""}); the transaction must be aborted so that no record is written twice`,
      );
    }
    if (missing.length === 0) return answers;
    this.forget(layouts.keys());
    return [...answers, ...(await this.sendEach(missing, sendBatch))];
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.admin?.disconnect();
  }

  /** One kafkajs send per part, all at once; rejects with the first failure once all have ended. */
  private async sendEach(parts: readonly TopicMessages[][], sendBatch: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    const settled = await Promise.allSettled(parts.map((part) => sendBatch(part)));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return settled.flatMap((result) => (result.status === "fulfilled" ? result.value : []));
  }

  private forget(topics: Iterable<string>): void {
    for (const topic of topics) this.layouts.delete(topic);
  }

  /** The topic's partition count and leaders, as read within the last {@link COUNT_TTL_MS}; undefined when they cannot be read. */
  private async layoutOf(topic: string): Promise<TopicLayout | undefined> {
    const known = this.layouts.get(topic);
    if (known !== undefined && Date.now() - known.readAt < COUNT_TTL_MS) return known;
    try {
      const admin = (this.admin ??= this.kafka.admin());
      this.connected ??= admin.connect().catch((error: unknown) => {
        this.connected = undefined;
        throw error;
      });
      await this.connected;
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions ?? [];
      if (partitions.length === 0) return known;
      const leaders = Array.from({ length: partitions.length }, () => -1);
      for (const { partitionId, leader } of partitions) if (partitionId < leaders.length) leaders[partitionId] = leader;
      const layout = { partitions: partitions.length, leaders, readAt: Date.now() };
      this.layouts.set(topic, layout);
      return layout;
    } catch {
      return known;
    }
  }
}

/**
 * The parts (one topic partition each, from {@link splitByPartition}) merged into one send per
 * leader; undefined when a part's leader is unknown, or a part is a whole topic (its partition
 * count unknown).
 */
export function groupByLeader(parts: readonly TopicMessages[][], leaderOf: (topic: string, partition: number) => number): TopicMessages[][] | undefined {
  const byLeader = new Map<number, Map<string, Message[]>>();
  for (const part of parts) {
    for (const { topic, messages } of part) {
      const partition = messages[0]?.partition;
      if (partition === undefined) return undefined;
      const leader = leaderOf(topic, partition);
      if (leader < 0) return undefined;
      let topics = byLeader.get(leader);
      if (topics === undefined) byLeader.set(leader, (topics = new Map<string, Message[]>()));
      const list = topics.get(topic);
      if (list === undefined) topics.set(topic, [...messages]);
      else for (const message of messages) list.push(message);
    }
  }
  return [...byLeader.values()].map((topics) => [...topics].map(([topic, messages]) => ({ topic, messages })));
}

/** The parts no answer names, and whether an answer names a partition more than once. */
export function checkAnswers(parts: readonly TopicMessages[][], answers: readonly RecordMetadata[]): { readonly missing: TopicMessages[][]; readonly repeated: boolean } {
  const seen = new Map<string, number>();
  for (const { topicName, partition } of answers) {
    const key = `${partition}:${topicName}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const missing: TopicMessages[][] = [];
  let repeated = false;
  for (const part of parts) {
    const [{ topic, messages } = { topic: "", messages: [] }] = part;
    const times = seen.get(`${messages[0]?.partition ?? -1}:${topic}`) ?? 0;
    if (times === 0) missing.push(part);
    if (times > 1) repeated = true;
  }
  return { missing, repeated };
}

/**
 * One item per topic partition, each message given its partition (a message's own partition kept),
 * in the order given within each partition. A topic whose partition count is unknown stays one
 * item, its messages as they were.
 *
 * A keyed message's partition is the one kafkajs's partitioner would pick, computed by
 * {@link partitionOfKey} (kafkajs runs the same murmur2 on Long objects and filters the partition
 * list for every message), and a string key's is computed once per call and reused for its other
 * messages (the audit trail's key is the zone: 500 records, a few dozen keys). Messages without a
 * key go to kafkajs's partitioner, round robin.
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
    const partitionOfStringKey = new Map<string, number>();
    for (const message of messages) {
      const { key } = message;
      let partition: number;
      // A message's own partition wins over its key.
      if (message.partition !== undefined) partition = message.partition;
      else if (key === null || key === undefined) partition = partitioner({ topic, partitionMetadata, message });
      else if (typeof key !== "string") partition = partitionOfKey(key, count);
      else {
        const known = partitionOfStringKey.get(key);
        partition = known ?? partitionOfKey(key, count);
        if (known === undefined) partitionOfStringKey.set(key, partition);
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
