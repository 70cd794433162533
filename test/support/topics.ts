/** Topics on the test broker: creating them, writing to them, and how far they reach. */
import { createTopicsAndAwaitLeaders } from "@flowzone/kafka";
import type { IHeaders, ITopicConfig, Kafka } from "kafkajs";

export interface TopicOptions {
  /** Partitions of each topic; 1 unless given, so offsets tell exactly what landed. */
  readonly partitions?: number;
  /** Topic configs (`cleanup.policy`, `max.message.bytes`, …). */
  readonly config?: Readonly<Record<string, string>>;
}

/** Creates the topics and waits for their leaders (on a cluster too: createTopicsAndAwaitLeaders). */
export async function createTopics(kafka: Kafka, topics: readonly string[], options: TopicOptions = {}): Promise<void> {
  const configEntries = Object.entries(options.config ?? {}).map(([name, value]) => ({ name, value }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndAwaitLeaders(
      admin,
      topics.map((topic): ITopicConfig => ({ topic, numPartitions: options.partitions ?? 1, configEntries })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Each partition's first and end offsets (low and high watermarks) now. */
export async function partitionOffsets(kafka: Kafka, topic: string): Promise<Map<number, { low: number; high: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
  } finally {
    await admin.disconnect();
  }
}

/** Each partition's end offset (high watermark) now. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  return new Map([...(await partitionOffsets(kafka, topic))].map(([partition, { high }]) => [partition, high]));
}

/**
 * How many offsets the topic's partitions hold (the sum of their high watermarks): the record
 * count of a topic written without transactions, whose offsets are all records.
 */
export async function recordCount(kafka: Kafka, topic: string): Promise<number> {
  return [...(await endOffsets(kafka, topic)).values()].reduce((sum, high) => sum + high, 0);
}

/** One record to produce. */
export interface ProducedRecord {
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  readonly partition?: number;
}

/**
 * Writes the records in order with an idempotent producer (acks from every replica, one request
 * in flight, so a retry never duplicates or reorders), in sends of 500, then disconnects.
 */
export async function produce(kafka: Kafka, topic: string, records: readonly ProducedRecord[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let start = 0; start < records.length; start += 500) {
      await producer.send({ topic, acks: -1, messages: records.slice(start, start + 500).map((record) => ({ ...record })) });
    }
  } finally {
    await producer.disconnect();
  }
}
