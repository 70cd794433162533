/**
 * Reading what landed on a topic. A test that asserts a record is there (or is not) reads every
 * partition to the end offsets the topic has AFTER the write, never "until N records": a count
 * can be reached before the partition holding the awaited record has been read, and cannot see
 * a duplicate beyond it.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";

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

/** A record as kafkajs decodes it, before it drops control records and (it thinks) aborted ones. */
type RawRecord = KafkaMessage & {
  readonly isControlRecord: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
};

/**
 * Every committed record of `topic` up to the end offsets it has now, in partition and offset
 * order, told committed or aborted by the transaction markers themselves. For a topic with
 * aborted transactions, where {@link readToEnd} is not exact: kafkajs (2.2.4) filters aborted
 * records by the fetch's list of aborted transactions one per record read, in the list's order,
 * so a fetch overlapping several of them lets some of their records through (an exactly-once
 * test then counts duplicates that no read_committed Java consumer would see). Reads
 * read_uncommitted and keeps a transaction's records until its marker; a record of a transaction
 * still open waits for it, and a read that missed a marker (kafkajs hands no batch of only
 * markers to the reader) starts again.
 */
export async function readCommittedExactly(kafka: Kafka, topic: string, options: { timeoutMs?: number } = {}): Promise<TopicMessage[]> {
  const { timeoutMs = 20_000 } = options;
  const ends = await partitionOffsets(kafka, topic);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const read = await readByMarkers(kafka, topic, ends, deadline);
    if (read.why === undefined) return read.records.filter((r) => r.fate === "committed" || r.fate === "plain").map((r) => r.message);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms reading the committed records of ${topic} (attempt ${attempt}): ${read.why}`);
  }
}

/** What became of a record: written outside a transaction, or its transaction's outcome (open: no marker read). */
export type RecordFate = "plain" | "committed" | "aborted" | "open";

export interface FatedRecord {
  readonly message: TopicMessage;
  readonly producerId: string;
  fate: RecordFate;
}

/**
 * Every record of `topic` below the end offsets it has now, committed, aborted or still open, as
 * far as one read gets by `timeoutMs`: to explain a record that {@link readCommittedExactly}
 * did not find (never written, aborted, or written past where the read ended). `why` says where
 * the read fell short.
 */
export async function readFates(kafka: Kafka, topic: string, timeoutMs = 20_000): Promise<{ records: FatedRecord[]; ends: Map<number, { low: number; high: number }>; why?: string }> {
  const ends = await partitionOffsets(kafka, topic);
  return { ...(await readByMarkers(kafka, topic, ends, Date.now() + timeoutMs)), ends };
}

/**
 * Reads `topic` read_uncommitted to `ends`, each transactional record told committed or aborted
 * by its marker; `why` is set when the read ended short of that (a deadline, or a batch of only
 * markers the reader never saw: read again).
 */
async function readByMarkers(kafka: Kafka, topic: string, ends: Map<number, { low: number; high: number }>, deadline: number): Promise<{ records: FatedRecord[]; why?: string }> {
  const next = new Map<number, number>();
  /** Per partition and producer: the records of its transaction whose marker is not read yet. */
  const pending = new Map<string, FatedRecord[]>();
  const records: FatedRecord[] = [];
  let missed: string | undefined;
  let why: string | undefined;
  const at = (partition: number): number => next.get(partition) ?? ends.get(partition)?.low ?? 0;
  const pendingIn = (partition: number): number => [...pending].filter(([key]) => key.startsWith(`${partition}/`)).reduce((sum, [, open]) => sum + open.length, 0);
  const consumer = kafka.consumer({ groupId: `exact-${topic}-${randomBytes(4).toString("hex")}`, readUncommitted: true, maxWaitTimeInMs: 100, maxBytesPerPartition: 64 << 20, maxBytes: 256 << 20 });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = Number(payload.lastOffset) + 1;
    if (end <= at(payload.partition)) return;
    // A batch the reader never saw: only markers, which may have ended a pending transaction.
    if (pendingIn(payload.partition) > 0) missed ??= `missed the markers of partition ${payload.partition} up to ${end}`;
    next.set(payload.partition, end);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const record of (batch as unknown as { rawMessages: RawRecord[] }).rawMessages) {
          const offset = Number(record.offset);
          if (offset < at(batch.partition)) continue;
          next.set(batch.partition, offset + 1);
          const { producerId, inTransaction } = record.batchContext;
          const key = `${batch.partition}/${producerId}`;
          if (record.isControlRecord) {
            // A control record's key: version (int16), then type (int16): 0 abort, 1 commit.
            const fate = record.key?.readInt16BE(2) === 1 ? "committed" : "aborted";
            for (const open of pending.get(key) ?? []) open.fate = fate;
            pending.delete(key);
          } else {
            const fated: FatedRecord = { message: { ...record, partition: batch.partition }, producerId, fate: inTransaction ? "open" : "plain" };
            records.push(fated);
            if (inTransaction) pending.set(key, [...(pending.get(key) ?? []), fated]);
          }
        }
        return Promise.resolve();
      },
    });
    // Read to the end offsets, and no record below them left in a transaction without its marker.
    const open = (partition: number, high: number): number =>
      [...pending].filter(([key]) => key.startsWith(`${partition}/`)).reduce((sum, [, fated]) => sum + fated.filter((r) => Number(r.message.offset) < high).length, 0);
    const behind = (): string[] =>
      [...ends].filter(([p, { high }]) => at(p) < high || open(p, high) > 0).map(([p, { high }]) => `partition ${p} at ${at(p)} of ${high}, ${open(p, high)} records of open transactions`);
    for (;;) {
      if (missed !== undefined) {
        why = missed;
        break;
      }
      const lagging = behind();
      if (lagging.length === 0) break;
      if (Date.now() > deadline) {
        why = lagging.join("; ");
        break;
      }
      await delay(20);
    }
  } finally {
    await consumer.disconnect();
  }
  const inRange = records.filter((r) => Number(r.message.offset) < (ends.get(r.message.partition)?.high ?? 0));
  return { records: inRange.sort((a, b) => a.message.partition - b.message.partition || Number(a.message.offset) - Number(b.message.offset)), why };
}
