/** Helpers shared by the audit writer's integration tests. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { encodeViolationAudit, type EncodedAuditRecord } from "@flowzone/audit";
import { AuditRecordSchema } from "@flowzone/proto";
import { Kafka, logLevel } from "kafkajs";

import { readToEnd } from "../support/topic-tail";

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

export function tempSpoolDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "flowzone-audit-spool-"));
}

/** A client for a broker that is not there: connection refused at once, no retries. */
export function unreachableKafka(): Kafka {
  return new Kafka({ clientId: "audit-unreachable", brokers: ["127.0.0.1:1"], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 200 });
}

export interface TopicRecord {
  readonly key: string;
  readonly id: string;
  readonly zone: string;
  readonly traceId: string;
  readonly policyVersion: string;
}

/**
 * Every audit record on the topic, decoded, in offset order (partition by partition): every
 * partition read to the end offsets it has now, so a record written twice sits at two offsets and
 * shows up twice, and nothing written before the call is missing.
 */
export async function readAuditTopic(kafka: Kafka, topic: string, timeoutMs = 20_000): Promise<TopicRecord[]> {
  const messages = await readToEnd(kafka, topic, { timeoutMs });
  return [...messages]
    .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
    .map((message) => {
      const decoded = fromBinary(AuditRecordSchema, message.value ?? new Uint8Array());
      return { key: message.key?.toString() ?? "", id: decoded.id, zone: decoded.zone, traceId: decoded.traceId, policyVersion: decoded.policyVersion };
    });
}

/** `d-<from>/0` … `d-<to-1>/0`: the record ids `auditRecord` gives. */
export function idsFrom(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `d-${from + i}/0`);
}
