import { Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type RecordMetadata, type TopicMessages } from "kafkajs";

/** How long a topic's partition count is trusted: partitions are added rarely, and by hand. */
const COUNT_TTL_MS = 60_000;

/** How many times partitions kafkajs skipped are sent again before the send fails, naming them. */
const MAX_RESENDS = 3;

type Partitioner = ReturnType<typeof Partitioners.DefaultPartitioner>;

/**
 * Sends records through one kafkajs send, every record's partition chosen beforehand, and checks
 * kafkajs's answer partition by partition: a skipped partition is sent again, a partition sent
 * twice fails the send.
 *
 * Why: kafkajs (2.2.4, tulios/kafkajs#1303, still open) retries a failed send broker by broker,
 * remembering which brokers answered and sending again only to the others, with the partitions
 * regrouped by the leaders the refreshed metadata names. When a broker stops mid-send, a partition
 * can move onto a broker that had already answered (its records are never sent, yet the send
 * resolves: lost, and a transaction commits without them) or away from one (its records are sent
 * twice under new sequence numbers: duplicated inside the transaction). kafkajs's answer lists
 * one entry per partition per broker that took it, so both show there: a partition missing from
 * it was never written (sending it again, in the same transaction, writes it once), a partition
 * listed twice was written twice (the caller aborts the transaction, or, at least once, accepts
 * the copy and sends again).
 *
 * One send, not one per partition: an idempotent producer holds a lock per broker for each
 * request, so sends of single partitions to one broker go one round trip after another.
 *
 * Each record's partition is chosen here, explicitly, by kafkajs's own default partitioner (Java's
 * murmur2 of the key, round robin without one), so records land where a plain send would put
 * them. That needs the topic's partition count: read through an admin client, kept for
 * {@link COUNT_TTL_MS}. A topic whose count cannot be read is sent as kafkajs partitions it, and
 * only checked for partitions written twice.
 */
export class PartitionedSender {
  /** Created and connected on first use, so a sender that never sends opens no connection. */
  private admin: Admin | undefined;
  private connected: Promise<void> | undefined;
  private readonly counts = new Map<string, { readonly partitions: number; readonly readAt: number }>();
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly kafka: Pick<Kafka, "admin">) {}

  /**
   * Sends every topic's records through `sendBatch` (one call, and one more for each round of
   * partitions kafkajs skipped); resolves with kafkajs's answers when every partition was
   * acknowledged once, rejects naming the partitions otherwise.
   */
  async send(topicMessages: readonly TopicMessages[], sendBatch: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
    const counts = new Map<string, number | undefined>();
    for (const { topic } of topicMessages) counts.set(topic, await this.partitionsOf(topic));
    return sendChecked(splitByPartition(topicMessages, (topic) => counts.get(topic), this.partitioner), sendBatch);
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
 * Sends `parts` (from {@link splitByPartition}) as one `sendBatch` call and checks the answer: the
 * parts whose partition it does not list are sent again, up to {@link MAX_RESENDS} times; a
 * partition it lists twice fails the send.
 */
export async function sendChecked(parts: readonly TopicMessages[][], sendBatch: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>): Promise<RecordMetadata[]> {
  const answers: RecordMetadata[] = [];
  let pending = parts;
  for (let resend = 0; ; resend++) {
    const answer = await sendBatch(byTopic(pending));
    const twice = partitionsListedTwice(answer);
    if (twice.length > 0) throw new Error(`kafkajs wrote ${twice.join(", ")} twice in one send (a partition leader moved while it retried)`);
    answers.push(...answer);
    const listed = new Set(answer.map(({ topicName, partition }) => `${topicName}[${partition}]`));
    pending = pending.filter((part) => {
      const name = partitionName(part);
      return name !== undefined && !listed.has(name);
    });
    if (pending.length === 0) return answers;
    if (resend === MAX_RESENDS) throw new Error(`kafkajs did not write ${pending.map(partitionName).join(", ")} in ${MAX_RESENDS + 1} sends (their leader moved while it retried)`);
  }
}

/** The parts as one item per topic: kafkajs keeps only the last item of a topic named twice in one send. */
function byTopic(parts: readonly TopicMessages[][]): TopicMessages[] {
  const messagesOf = new Map<string, TopicMessages["messages"]>();
  for (const { topic, messages } of parts.flat()) {
    const list = messagesOf.get(topic);
    if (list === undefined) messagesOf.set(topic, [...messages]);
    else list.push(...messages);
  }
  return Array.from(messagesOf, ([topic, messages]) => ({ topic, messages }));
}

/** `topic[partition]` of a part whose messages all carry that partition; undefined for one left to kafkajs to partition. */
function partitionName(part: readonly TopicMessages[]): string | undefined {
  const only = part.length === 1 ? part[0] : undefined;
  const partition = only?.messages[0]?.partition;
  if (only === undefined || partition === undefined || only.messages.some((message) => message.partition !== partition)) return undefined;
  return `${only.topic}[${partition}]`;
}

function partitionsListedTwice(answer: readonly RecordMetadata[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const { topicName, partition } of answer) {
    const name = `${topicName}[${partition}]`;
    if (seen.has(name)) twice.push(name);
    seen.add(name);
  }
  return twice;
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
