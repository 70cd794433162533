import { randomBytes } from "node:crypto";

import type { Kafka, KafkaMessage } from "kafkajs";

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

/**
 * Reads the given offset range of each partition of `topic`, read_committed, with a consumer of a
 * throw-away group that commits nothing, and resolves once every partition's position reached its
 * end. Positions come from every fetched batch, one of only transaction markers or aborted records
 * too (kafkajs reports those in END_BATCH_PROCESS, never as records), so a transactional topic
 * whose last offset is a commit marker is read to its end all the same.
 */
export async function readTopicRange(options: TopicRangeOptions): Promise<void> {
  const { kafka, topic } = options;
  const ranges = new Map(options.ranges.filter((r) => r.start < r.end).map((r) => [r.partition, r]));
  if (ranges.size === 0) return;
  const consumer = kafka.consumer({ groupId: `flowzone-range-${randomBytes(6).toString("hex")}`, readUncommitted: false, maxWaitTimeInMs: 250 });
  const pending = new Set(ranges.keys());
  let stall: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const armStall = (): void => {
        clearTimeout(stall);
        stall = setTimeout(() => {
          reject(new Error(`${options.what}: no progress in ${options.stallTimeoutMs} ms reading ${topic} (partitions ${[...pending].join(", ")} unfinished)`));
        }, options.stallTimeoutMs);
      };
      let failed = false;
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const range = ranges.get(payload.partition);
        if (range === undefined || failed) return;
        armStall();
        if (BigInt(payload.lastOffset) + 1n >= range.end) pending.delete(payload.partition);
        if (pending.size === 0) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        reject(payload.error);
      });
      armStall();
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const range = ranges.get(batch.partition);
              if (range === undefined || failed) return;
              const inRange = batch.messages.filter((m) => BigInt(m.offset) >= range.start && BigInt(m.offset) < range.end);
              if (inRange.length === 0) return;
              try {
                await options.onRecords(batch.partition, inRange);
              } catch (error) {
                failed = true;
                reject(error);
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
        .catch(reject);
    });
  } finally {
    clearTimeout(stall);
    await consumer.disconnect();
  }
}
