/** Helpers shared by the audit writer's integration tests. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { encodeViolationAudit, type EncodedAuditRecord } from "@flowzone/audit";
import { createLogger, type Logger } from "@flowzone/logging";
import { AuditRecordSchema } from "@flowzone/proto";
import { Kafka, logLevel } from "kafkajs";

export const ZONES = ["banana", "health", "pii"] as const;

/** The violation audit record number `i`: decision `d-<i>`, zone by `i`, a trace id and a policy version. */
export function auditRecord(i: number): EncodedAuditRecord {
  const zone = ZONES[i % ZONES.length] ?? "banana";
  return encodeViolationAudit(
    {
      decisionId: `d-${i}`,
      write: { producer: "svc:banana-app", sink: "kafka:export-daily", labels: [zone], sources: [], purpose: "" },
      violation: { zone, rule: "boundary", mode: "logging", enforced: false, failMode: "open", labels: [zone], reason: `${zone} data may not leave its zone` },
      enforcementPoint: "decision_service",
      policyVersion: "sha256:test/epoch-1",
      traceId: `trace-${i}`,
      timeMs: 1_700_000_000_000 + i,
    },
    0,
  );
}

/** A logger whose lines a test can inspect. */
export function collectingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "info",
    destination: {
      write(line: string): void {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines };
}

export function tempSpoolDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "flowzone-audit-spool-"));
}

/** A client for a broker that is not there: connection refused at once, no retries. */
export function unreachableKafka(): Kafka {
  return new Kafka({ clientId: "audit-unreachable", brokers: ["127.0.0.1:1"], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 200 });
}

/** Polls `condition` until true; fails with `what` after `timeoutMs`. */
export async function eventually(what: () => string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface TopicRecord {
  readonly key: string;
  readonly id: string;
  readonly zone: string;
  readonly traceId: string;
  readonly policyVersion: string;
}

/**
 * Every record on a one-partition topic, in offset order: checks the high watermark first (so a
 * duplicate shows up as an extra record), then reads exactly that many from the beginning.
 */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 20_000): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = offsets.reduce((sum, p) => sum + Number(p.high), 0);
  const records: TopicRecord[] = [];
  if (expected === 0) return records;
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`read ${records.length} of ${expected} records from ${topic}`));
      }, timeoutMs);
      void consumer.run({
        eachMessage: ({ message }) => {
          const decoded = fromBinary(AuditRecordSchema, message.value ?? new Uint8Array());
          records.push({ key: message.key?.toString() ?? "", id: decoded.id, zone: decoded.zone, traceId: decoded.traceId, policyVersion: decoded.policyVersion });
          if (records.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** `d-<from>/0` … `d-<to-1>/0`: the record ids `auditRecord` gives. */
export function idsFrom(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `d-${from + i}/0`);
}
