/**
 * Reading what landed on a topic. A test that asserts a record is there (or is not) reads every
 * partition to the end offsets the topic has AFTER the write, never "until N records": a count
 * can be reached before the partition holding the awaited record has been read, and cannot see
 * a duplicate beyond it.
 */
import { randomBytes } from "node:crypto";

import type { Consumer, Kafka, KafkaMessage } from "kafkajs";

import { waitUntil } from "./poll";
import { partitionOffsets } from "./topics";

/** A record as read, with the partition it was read from. */
export type TopicMessage = KafkaMessage & { readonly partition: number };

export interface TailOptions {
  /**
   * Read records of open and aborted transactions too (read_uncommitted). Off unless given:
   * a tail sees what a read_committed consumer downstream would see.
   */
  readonly readUncommitted?: boolean;
}

/**
 * A consumer in a group of its own that reads a topic from the beginning and keeps every record,
 * in arrival order, once per position (a record kafkajs delivers again after a rebalance of the
 * tail's own group is the same record; a record written twice sits at two positions and counts
 * twice). {@link readToEnd} is the signal to wait for before asserting on what arrived.
 */
export class TopicTail {
  readonly messages: TopicMessage[] = [];
  /** The next offset read per partition, past transaction markers and aborted records too. */
  private readonly positions = new Map<number, number>();
  private readonly seen = new Set<string>();

  private constructor(
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
    readonly topic: string,
  ) {}

  /** Starts a tail of `topic`, reading from its beginning. */
  static async start(kafka: Kafka, topic: string, options: TailOptions = {}): Promise<TopicTail> {
    const consumer = kafka.consumer({
      groupId: `tail-${topic}-${randomBytes(4).toString("hex")}`,
      readUncommitted: options.readUncommitted ?? false,
      maxWaitTimeInMs: 100,
    });
    const tail = new TopicTail(kafka, consumer, topic);
    // Emitted once a fetched batch is handled, also for a batch of only transaction markers,
    // whose offsets no eachMessage ever reports.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      tail.positions.set(payload.partition, Math.max(tail.positions.get(payload.partition) ?? 0, Number(payload.lastOffset) + 1));
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          const position = `${partition}@${message.offset}`;
          if (!tail.seen.has(position)) {
            tail.seen.add(position);
            tail.messages.push({ ...message, partition });
          }
          return Promise.resolve();
        },
      });
    } catch (error) {
      await consumer.disconnect();
      throw error;
    }
    return tail;
  }

  /** The values read so far, as UTF-8 text. */
  values(): string[] {
    return this.messages.map((m) => m.value?.toString("utf8") ?? "");
  }

  /**
   * Waits until this tail has read every partition to the end offsets the topic has now, so any
   * record written before the call is in {@link messages}.
   */
  async readToEnd(timeoutMs = 20_000): Promise<void> {
    const offsets = await partitionOffsets(this.kafka, this.topic);
    // A partition whose records were all deleted (low = high) has nothing left to fetch.
    const at = (partition: number, low: number): number => Math.max(this.positions.get(partition) ?? 0, low);
    await waitUntil(
      `the tail of ${this.topic} to read every partition to its end offsets ${[...offsets].map(([p, { high }]) => `${p}:${high}`).join(", ")}`,
      () => [...offsets].filter(([p, { low, high }]) => at(p, low) < high).map(([p, { low }]) => `partition ${p} at ${at(p, low)}`),
      (behind) => behind.length === 0,
      { timeoutMs, intervalMs: 20 },
    );
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/**
 * Every record of `topic` up to the end offsets it has now, read_committed unless asked
 * otherwise: the way to check what a write left on a topic.
 */
export async function readToEnd(kafka: Kafka, topic: string, options: TailOptions & { timeoutMs?: number } = {}): Promise<TopicMessage[]> {
  const offsets = await partitionOffsets(kafka, topic);
  if ([...offsets.values()].every(({ low, high }) => low >= high)) return [];
  const tail = await TopicTail.start(kafka, topic, options);
  try {
    await tail.readToEnd(options.timeoutMs);
    return tail.messages;
  } finally {
    await tail.close();
  }
}
