import type { Kafka } from "kafkajs";

import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, readMaxMessageBytes } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

/**
 * What a record batch of one record costs beyond its key and value, rounded up: the batch header
 * (61 bytes) and the record's own length, attributes, timestamp and offset deltas, key and value
 * lengths and header count (at most 32 bytes as varints).
 */
export const RECORD_OVERHEAD_BYTES = 96;

/**
 * The control topic's `max.message.bytes` (DescribeConfigs; the effective value, the broker's
 * when the topic sets none), read once at start. When it cannot be read (no DescribeConfigs
 * permission), a warning and Kafka's default.
 */
export async function readControlTopicLimit(kafka: Kafka, topic: string, logger: Logger): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const limit = (await readMaxMessageBytes(admin, [topic])).get(topic);
    if (limit !== undefined) return limit;
    throw new Error(`DescribeConfigs gave no max.message.bytes for ${topic}`);
  } catch (error) {
    logger.warn({ err: error, topic, assumedMaxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES }, "cannot read max.message.bytes of the control topic; assuming Kafka's default");
    return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Bytes a control record takes on the topic as a batch of its own. */
export function controlRecordBytes(key: string, value: Buffer | null): number {
  return Buffer.byteLength(key) + (value?.length ?? 0) + RECORD_OVERHEAD_BYTES;
}
