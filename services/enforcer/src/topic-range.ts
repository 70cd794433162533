import { randomBytes } from "node:crypto";

import type { Kafka, KafkaMessage } from "kafkajs";

import { CommittedRecords, type RawRecord } from "./committed-records";

/** Where a bounded read of one partition starts and where it stops (exclusive). */
export interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  readonly end: bigint;
}

/** Options of {@link readTopicRange}. */
export interface TopicRangeOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly ranges: readonly PartitionRange[];
  /** Gets each fetched batch's records inside the range, in offset order per partition; a rejection ends the read with it. */
  readonly onRecords: (partition: number, messages: readonly KafkaMessage[]) => Promise<void>;
  /** How long the read may make no progress before it fails (an open transaction that never ends, a broker gone). */
  readonly stallTimeoutMs: number;
  /** Names the read in the error a stall gives. */
  readonly what: string;
}

/**
 * Where a bounded read of `topic` starts (its first offsets, or the first at or after `sinceMs`)
 * and stops: the end offsets it has now, so the read finishes however much is written meanwhile.
 * Undefined when the topic does not exist.
 */
export async function endOffsetsOf(kafka: Kafka, topic: string, sinceMs?: number): Promise<{ starts: Map<number, bigint>; ends: Map<number, bigint> } | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const offsets = await admin.fetchTopicOffsets(topic);
    const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
    const starts = new Map(offsets.map((p) => [p.partition, BigInt(p.low)]));
    if (sinceMs !== undefined) {
      for (const p of await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs)) starts.set(p.partition, BigInt(p.offset));
    }
    return { starts, ends };
  } finally {
    await admin.disconnect();
  }
}

/** Large enough that a fetch holds a whole enforcer transaction with its marker (a chunk is at most a few MiB). */
const MAX_BYTES_PER_PARTITION = 8 << 20;

/**
 * Reads the given offset range of each partition of `topic` with a consumer of a throw-away group
 * that commits nothing, handing over only committed records ({@link CommittedRecords}: told by the
 * transaction markers, not by kafkajs' filter), and resolves once every record below each end is
 * settled. A fetched batch kafkajs does not hand over (only markers or aborted records) is seen in
 * END_BATCH_PROCESS; if a transaction was held then, the partition is read again from its first
 * record. The consumer reads read_committed, so the broker never sends past a transaction still open.
 */
export async function readTopicRange(options: TopicRangeOptions): Promise<void> {
  const { kafka, topic } = options;
  const ranges = new Map(options.ranges.filter((r) => r.start < r.end).map((r) => [r.partition, r]));
  if (ranges.size === 0) return;
  const readers = new Map([...ranges].map(([partition, range]) => [partition, new CommittedRecords(range.start)]));
  const consumer = kafka.consumer({
    groupId: `flowzone-range-${randomBytes(6).toString("hex")}`,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
    maxBytes: 4 * MAX_BYTES_PER_PARTITION,
  });
  const settled = (): boolean => [...ranges].every(([partition, range]) => readers.get(partition)?.settledBelow(range.end) ?? true);
  let stall: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: unknown): void => {
        failed = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const armStall = (): void => {
        clearTimeout(stall);
        stall = setTimeout(() => {
          const behind = [...ranges].filter(([partition, range]) => readers.get(partition)?.settledBelow(range.end) === false).map(([partition]) => partition);
          fail(new Error(`${options.what}: no progress in ${options.stallTimeoutMs} ms reading ${topic} (partitions ${behind.join(", ")} unfinished; a transaction still open?)`));
        }, options.stallTimeoutMs);
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const reader = readers.get(payload.partition);
        if (reader === undefined || failed) return;
        armStall();
        const rewind = reader.skipped(BigInt(payload.lastOffset) + 1n);
        if (rewind !== undefined) consumer.seek({ topic, partition: payload.partition, offset: rewind.toString() });
        else if (settled()) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        fail(payload.error);
      });
      armStall();
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const range = ranges.get(batch.partition);
              const reader = readers.get(batch.partition);
              if (range === undefined || reader === undefined || failed) return;
              // kafkajs 2.2.4 keeps every decoded record, markers included, on the batch.
              const raw = (batch as unknown as { rawMessages: readonly RawRecord[] }).rawMessages;
              const committed = reader.feed(raw).filter((m) => BigInt(m.offset) >= range.start && BigInt(m.offset) < range.end);
              try {
                if (committed.length > 0) await options.onRecords(batch.partition, committed);
              } catch (error) {
                fail(error);
              }
            },
          }),
        )
        .then(() => {
          // Partitions with nothing to read are not fetched at all.
          const idle = options.ranges.filter((r) => !ranges.has(r.partition)).map((r) => r.partition);
          if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
          for (const [partition, range] of ranges) consumer.seek({ topic, partition, offset: range.start.toString() });
        })
        .catch(fail);
    });
  } finally {
    clearTimeout(stall);
    await consumer.disconnect();
  }
}
