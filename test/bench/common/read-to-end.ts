import { randomBytes } from "node:crypto";

import type { Kafka, KafkaMessage } from "kafkajs";

/**
 * Reads `topic` from the beginning up to the end offsets it has when the call starts, handing
 * every message to `onMessage` in partition order, and returns how many records that span
 * holds. A benchmark's after-run check, so it never waits for records written later.
 * `onJoined` is called when the consumer has joined its group and starts fetching: a reader
 * timed from there is timed without the group's set-up.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  timeoutMs: number,
  onMessage: (message: KafkaMessage) => void,
  onJoined?: () => void,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const endOffsets = offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const pending = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  if (pending.size === 0) return endOffsets;
  let read = 0;
  const consumer = kafka.consumer({ groupId: `bench-read-${randomBytes(6).toString("hex")}`, maxWaitTimeInMs: 100, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20 });
  if (onJoined !== undefined) consumer.on(consumer.events.GROUP_JOIN, onJoined);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`topic ${topic} was not read to its end within ${timeoutMs} ms (${read} of ${endOffsets} records)`));
      }, timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            const high = pending.get(batch.partition);
            for (const message of batch.messages) {
              if (high === undefined || BigInt(message.offset) >= high) continue;
              read++;
              onMessage(message);
            }
            if (high !== undefined && BigInt(batch.lastOffset()) + 1n >= high) pending.delete(batch.partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return endOffsets;
}
