import { randomBytes } from "node:crypto";

import type { Kafka } from "kafkajs";

/** How long reading the control topic to its end may take before the start fails. */
const READ_TIMEOUT_MS = 60_000;

/**
 * The keys the control topic holds a live record for (the latest record under the key is not a
 * tombstone), read from its start to the end offsets it had when called. Republishing compares
 * them with the store to tombstone what the store no longer knows.
 */
export async function liveControlKeys(kafka: Kafka, topic: string): Promise<Set<string>> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  const live = new Map<string, boolean>();
  if (pending.size === 0) return new Set();
  const consumer = kafka.consumer({ groupId: `flowzone-control-keys-${randomBytes(6).toString("hex")}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`the control topic ${topic} could not be read to its end within ${READ_TIMEOUT_MS} ms`));
      }, READ_TIMEOUT_MS);
      void consumer
        .run({
          autoCommit: false,
          eachBatch: ({ batch }) => {
            const end = ends.get(batch.partition) ?? 0n;
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= end) continue;
              live.set(message.key?.toString("utf8") ?? "", message.value !== null);
            }
            const last = batch.messages.at(-1);
            if (last !== undefined && BigInt(last.offset) + 1n >= end) pending.delete(batch.partition);
            if (pending.size === 0) resolve();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return new Set([...live].filter(([, isLive]) => isLive).map(([key]) => key));
}
