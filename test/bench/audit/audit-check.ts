/**
 * The audit topic as the benchmark sees it: its end offsets (how many records it holds: the
 * topics are fresh, so every partition starts at 0) and, after the run, what those records are.
 */
import { randomBytes } from "node:crypto";

import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema } from "@flowzone/proto";
import type { Admin, Kafka } from "kafkajs";

/** Records on `topic` now: the sum over partitions of end offset − start offset. */
export async function recordsOnTopic(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
}

/**
 * Polls the end offsets until the topic holds at least `expected` records, or until it has not
 * grown for `quietMs`, or `timeoutMs` passed. Returns the last count and how long it took.
 */
export async function waitForRecords(admin: Admin, topic: string, expected: number, quietMs: number, timeoutMs: number): Promise<{ records: number; waitedMs: number }> {
  const t0 = performance.now();
  let last = -1;
  let lastChange = t0;
  for (;;) {
    const records = await recordsOnTopic(admin, topic);
    const now = performance.now();
    if (records !== last) {
      last = records;
      lastChange = now;
    }
    if (records >= expected || now - lastChange >= quietMs || now - t0 >= timeoutMs) return { records, waitedMs: now - t0 };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface TopicContents {
  /** Sum of the end offsets when the read started. */
  readonly endOffsets: number;
  readonly read: number;
  readonly violations: number;
  /** Records of another event type (zone_traffic, zone_flip, ...). */
  readonly others: number;
  /** Distinct audit record ids among the violations (a retried batch would repeat some). */
  readonly distinctIds: number;
  /** Distinct decisions among the violations (each denied check of zones-20 has one violation). */
  readonly distinctDecisions: number;
}

/** Reads `topic` from the beginning to its current end offsets and classifies every record. */
export async function readAuditTopic(kafka: Kafka, topic: string, timeoutMs: number): Promise<TopicContents> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const endOffsets = offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
  const pending = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  let read = 0;
  let violations = 0;
  let others = 0;
  const ids = new Set<string>();
  const decisions = new Set<string>();
  if (pending.size > 0) {
    const consumer = kafka.consumer({ groupId: `bench-audit-check-${randomBytes(6).toString("hex")}`, maxWaitTimeInMs: 100, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`the audit topic ${topic} was not read to its end within ${timeoutMs} ms (${read} of ${endOffsets} records)`));
        }, timeoutMs);
        consumer
          .run({
            autoCommit: false,
            eachBatch: ({ batch }) => {
              const high = pending.get(batch.partition);
              for (const message of batch.messages) {
                if (high === undefined || BigInt(message.offset) >= high) continue;
                read++;
                if (message.value === null) {
                  others++;
                  continue;
                }
                const record = fromBinary(AuditRecordSchema, message.value);
                if (record.event.case === "violation") {
                  violations++;
                  ids.add(record.id);
                  decisions.add(record.event.value.decisionId);
                } else {
                  others++;
                }
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
  }
  return { endOffsets, read, violations, others, distinctIds: ids.size, distinctDecisions: decisions.size };
}
