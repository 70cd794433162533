import type { Logger } from "@flowzone/logging";
import type { Telemetry } from "@flowzone/telemetry";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";

import { storedOffsets } from "./consumed-offsets";
import type { Database } from "./database";

type Counter = ReturnType<Telemetry["meter"]["createCounter"]>;

/** The partition a fetched batch came from, as {@link StoredOffsetConsumerOptions.store} is given it. */
export interface FetchedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly clusterId: string;
  /** The partition's high watermark at the fetch (a decimal string, as kafkajs gives it). */
  readonly highWatermark: string;
  /** The batch's last offset (a decimal string, as kafkajs gives it), for log lines. */
  readonly lastOffset: string;
}

/** Options for {@link startStoredOffsetConsumer}. */
export interface StoredOffsetConsumerOptions {
  readonly kafka: Kafka;
  readonly database: Database;
  /** The consumer's own child logger. */
  readonly log: Logger;
  readonly topic: string;
  /** Only spreads partitions; the offsets that count live in PostgreSQL. */
  readonly groupId: string;
  /** What the consumer keeps, for its log lines: "violations are no longer counted" names it. */
  readonly keeps: string;
  /** Counts partitions read again from their start because their stored offsets belonged to another incarnation of the topic. */
  readonly resets?: Counter | undefined;
  /** Called when the consumer stopped for good (kafkajs will not restart it). */
  readonly onFatal?: ((error: unknown) => void) | undefined;
  /**
   * Stores one batch and the partition's next offset in one transaction, skipping what lies below
   * the stored offset; answers why the stored offset belongs to another incarnation of the topic
   * (then nothing was stored and the partition is read again from its start), or undefined.
   */
  store(messages: readonly KafkaMessage[], fetched: FetchedPartition): Promise<string | undefined>;
}

/** A running consumer. */
export interface StoredOffsetConsumer {
  /** Stops after the batch in hand is stored. */
  close(): Promise<void>;
}

/**
 * A consumer that counts a topic into PostgreSQL exactly once. Kafka's committed offsets are
 * never used: on every assignment the consumer seeks to the offsets stored with the counts, and
 * `store` skips anything below them, so a crash between the database commit and anything else
 * can neither lose nor double a record. When the stored offsets belong to another incarnation of
 * the topic (a new broker under an old database, a recreated topic), that is logged as one error
 * line and counted, and the partition is read again from its start.
 */
export async function startStoredOffsetConsumer(options: StoredOffsetConsumerOptions): Promise<StoredOffsetConsumer> {
  const { topic, log } = options;
  const clusterId = await describeClusterId(options.kafka);
  const resetLogged = new Set<string>();
  // Partition -> how many times it was read again from its start. A seek to the stored offsets
  // that began before a reset works from offsets the reset replaced, and must not undo its seek to 0.
  const resets = new Map<number, number>();
  const consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) {
        log.warn({ err: event.payload.error }, `consumer of ${topic} crashed; kafkajs restarts it`);
        return;
      }
      log.error({ err: event.payload.error }, `consumer of ${topic} stopped for good: ${options.keeps}`);
      options.onFatal?.(event.payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[topic] ?? [];
      const resetsAtJoin = new Map(partitions.map((partition) => [partition, resets.get(partition) ?? 0]));
      const unchanged = (partition: number): boolean => (resets.get(partition) ?? 0) === resetsAtJoin.get(partition);
      void seekToStored(consumer, options.kafka, options.database, topic, partitions, unchanged).catch((error: unknown) => {
        log.warn({ err: error }, "cannot seek to the stored offsets; stored offsets still guard against double counting");
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!payload.isRunning() || payload.isStale()) return;
        const reset = await options.store(batch.messages, { topic: batch.topic, partition: batch.partition, clusterId, highWatermark: batch.highWatermark, lastOffset: batch.lastOffset() });
        if (reset !== undefined) {
          // One error line for the topic (the first partition found); its other partitions at info.
          const first = !resetLogged.has(batch.topic);
          resetLogged.add(batch.topic);
          log[first ? "error" : "info"](
            { topic: batch.topic, partition: batch.partition, reason: reset },
            `stored offsets of ${batch.topic}/${batch.partition} belong to another incarnation of the topic (${reset}): reading it again from its start`,
          );
          options.resets?.add(1, { topic: batch.topic });
          resets.set(batch.partition, (resets.get(batch.partition) ?? 0) + 1);
          // Below the log start offset the fetch is out of range and restarts at the earliest record.
          consumer.seek({ topic: batch.topic, partition: batch.partition, offset: "0" });
          return;
        }
        payload.resolveOffset(batch.lastOffset());
        await payload.heartbeat();
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { close: () => consumer.disconnect() };
}

/** The id of the cluster `kafka` points at: stored with the offsets, it tells one incarnation of a topic from the next. */
async function describeClusterId(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Seeks each partition to the record before its stored offset: that record is skipped as already
 * counted, and its id proves the partition is still the incarnation the offsets were counted on.
 * A stored offset outside the partition as it is now (a new broker, a recreated topic, retention)
 * seeks to the partition's start instead: a fetch out of range would make kafkajs back off for
 * seconds before it resets, and the first batch tells the incarnation apart anyway. A partition
 * read again from its start meanwhile (`unchanged` answers false) keeps that position: the
 * offsets read here were counted on the incarnation the reset left behind.
 */
async function seekToStored(
  consumer: Consumer,
  kafka: Kafka,
  db: Database,
  topic: string,
  partitions: readonly number[],
  unchanged: (partition: number) => boolean,
): Promise<void> {
  const offsets = await storedOffsets(db, topic);
  if (!partitions.some((partition) => offsets.has(partition))) return;
  const admin = kafka.admin();
  await admin.connect();
  let bounds: Map<number, { low: number; high: number }>;
  try {
    bounds = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
  } finally {
    await admin.disconnect();
  }
  for (const partition of partitions) {
    const next = offsets.get(partition);
    const bound = bounds.get(partition);
    if (next === undefined || bound === undefined || !unchanged(partition)) continue;
    const target = next - 1 >= bound.low && next - 1 < bound.high ? next - 1 : bound.low;
    consumer.seek({ topic, partition, offset: String(target) });
  }
}
