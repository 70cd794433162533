/**
 * The audit topic as the benchmark sees it: its end offsets (how many records it holds: the
 * topics are fresh, so every partition starts at 0) and, after the run, what those records are.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema } from "@flowzone/proto";
import type { Admin, Kafka, Message } from "kafkajs";

import { readTopicToEnd } from "../common/read-to-end";

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
  /** The first violation records as read (key and value), up to the sample size asked for. */
  readonly sample: readonly Message[];
}

/** Reads `topic` from the beginning to its current end offsets and classifies every record, keeping the first `sampleSize` violation records. */
export async function readAuditTopic(kafka: Kafka, topic: string, timeoutMs: number, sampleSize = 0): Promise<TopicContents> {
  const sample: Message[] = [];
  let read = 0;
  let violations = 0;
  let others = 0;
  const ids = new Set<string>();
  const decisions = new Set<string>();
  const endOffsets = await readTopicToEnd(kafka, topic, timeoutMs, (message) => {
    read++;
    if (message.value === null) {
      others++;
      return;
    }
    const record = fromBinary(AuditRecordSchema, message.value);
    if (record.event.case === "violation") {
      violations++;
      if (sample.length < sampleSize) sample.push({ key: message.key, value: message.value });
      ids.add(record.id);
      decisions.add(record.event.value.decisionId);
    } else {
      others++;
    }
  });
  return { endOffsets, read, violations, others, distinctIds: ids.size, distinctDecisions: decisions.size, sample };
}
