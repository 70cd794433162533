/** The benchmark's own Kafka work: topics, pre-producing, paced producing and latency reads. */
import { ensureTopics } from "@flowzone/kafka";
import type { Kafka, Producer } from "kafkajs";

import { benchRecord, quarantinedRecord, SENT_HEADER } from "./workload";

/**
 * Creates the topics as flowzone creates its own (`ensureTopics`): one replica on the single broker,
 * three with two in sync on the cluster, so the pipe's and the enforcer's acks=all writes wait for
 * replication there. Resolves once every partition's leader serves.
 */
export async function createTopics(kafka: Kafka, topics: readonly { topic: string; partitions: number }[]): Promise<void> {
  await ensureTopics(kafka, topics);
}

export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } catch {
    // best effort: a later run does not depend on it
  } finally {
    await admin.disconnect();
  }
}

/** Writes records 0 .. n-1 to `topic`, `perRequest` per request, `inFlight` requests at a time. */
export async function preProduce(kafka: Kafka, topic: string, n: number, onProgress: (done: number) => void): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const perRequest = 2000;
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < n) {
        const from = next;
        next = Math.min(n, next + perRequest);
        const messages = [];
        for (let k = from; k < next; k++) messages.push(benchRecord(k));
        await producer.send({ topic, messages, acks: -1 });
        done += messages.length;
        if (done % 50_000 < perRequest) onProgress(done);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  } finally {
    await producer.disconnect();
  }
}

export interface LatencyResult {
  readonly sent: number;
  readonly expected: number;
  readonly received: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** How late the load generator itself sent, p99 (a busy machine delays the sender too). */
  readonly lateP99Ms: number;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * Open-loop paced stream: `rate` records/s for `seconds` into `from` (records numbered from
 * `firstK`, each stamped with its send time), while a read_committed consumer of `to` measures
 * when each forwarded record becomes readable. `quarantines`: whether the system under test sends
 * the workload's quarantined records elsewhere (the plain pipe forwards every record, and each
 * is waited for).
 */
export async function measureLatency(kafka: Kafka, from: string, to: string, groupId: string, rate: number, seconds: number, quarantines: boolean): Promise<LatencyResult> {
  const latencies: number[] = [];
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => { resolve(); }));
  await consumer.connect();
  await consumer.subscribe({ topic: to, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        const sent = message.headers?.[SENT_HEADER];
        if (sent !== undefined && !Array.isArray(sent)) latencies.push(now - Number(sent.toString()));
      }
      await Promise.resolve();
    },
  });
  await joined;
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const total = Math.round(rate * seconds);
  const lates: number[] = [];
  let sent = 0;
  let expected = 0;
  const sends: Promise<unknown>[] = [];
  const start = Date.now();
  try {
    while (sent < total) {
      const elapsed = Date.now() - start;
      const due = Math.min(total, Math.floor((elapsed / 1000) * rate) + 1);
      if (due > sent) {
        const messages = [];
        const now = Date.now();
        for (let k = sent; k < due; k++) {
          messages.push(benchRecord(k, now));
          lates.push(now - (start + (k / rate) * 1000));
          if (!quarantines || !quarantinedRecord(k)) expected++;
        }
        sent = due;
        sends.push(producer.send({ topic: from, messages, acks: -1 }));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(sends);
    const deadline = Date.now() + 30_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await producer.disconnect();
    await consumer.disconnect();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const sortedLate = lates.sort((a, b) => a - b);
  return { sent, expected, received: latencies.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), lateP99Ms: percentile(sortedLate, 0.99) };
}
