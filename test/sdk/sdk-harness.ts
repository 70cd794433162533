/**
 * Shared set-up of the SDK tests: a bundle whose zones cover deny, would-deny and clean allows,
 * topic helpers that read what really landed, a call counter on the gRPC channel, and a
 * guarded-producer factory on the shared test broker.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { IHeaders, Kafka } from "kafkajs";

import { createLogger, type Logger } from "@flowzone/logging";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import { createGuardedProducer, type GuardedProducer, type GuardedProducerOptions } from "@flowzone/sdk";

import { testKafka } from "../support/kafka";

/**
 * banana enforces (members kafka:banana-*), with a no-export rule in logging; email observes
 * (logging); loc is off: writes of `loc` data are clean allows until it is switched on.
 */
export const SDK_BUNDLE: Readonly<Record<string, string>> = {
  "labels.yaml": `kind: Label
name: banana
description: Banana data
---
kind: Label
name: pii.email
description: Email addresses
---
kind: Label
name: loc
description: Precise location
`,
  "assets.yaml": `kind: Asset
id: kafka:banana-events
labels: [banana]
`,
  "zones/banana.yaml": `kind: Zone
name: banana
description: Banana data stays with banana
protects: [banana]
members: [kafka:banana-*]
purposes: [banana]
mode: enforcement
rules:
  - name: no-export
    deny: [kafka:banana-export-*]
    mode: logging
`,
  "zones/email.yaml": `kind: Zone
name: email
description: Emails stay in the CRM
protects: [pii.email]
members: [kafka:crm-*]
mode: logging
`,
  "zones/loc.yaml": locZone("off"),
};

export function locZone(mode: "off" | "logging" | "enforcement"): string {
  return `kind: Zone
name: loc
description: Location stays in the mobile platform
protects: [loc]
members: [kafka:mobile-*]
mode: ${mode}
`;
}

export const kafka: Kafka = testKafka("sdk-test");
export const quietLogger: Logger = createLogger({ level: "silent" });

/** Creates topics with one partition, so offsets tell exactly what landed. */
export async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** How many records the topic holds (its high watermark). */
export async function recordCount(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRecord {
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Reads `count` records of a topic from the beginning, headers as strings. */
export async function readTopic(topic: string, count: number, timeoutMs = 20_000): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: `sdk-reader-${topic}-${Date.now()}` });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`topic ${topic}: ${records.length} of ${count} records in time`));
      }, timeoutMs);
      void consumer.run({
        eachMessage: ({ message }) => {
          records.push({ value: message.value?.toString() ?? "", headers: headerStrings(message.headers) });
          if (records.length >= count) {
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

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join("|") : value.toString();
  }
  return out;
}

/** Counts the gRPC calls leaving a client, by method path (`/flowzone.v1.DecisionService/Check`). */
export function callCounter(): { interceptor: grpc.Interceptor; calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>();
  const interceptor: grpc.Interceptor = (options, nextCall) => {
    const path = options.method_definition.path;
    calls.set(path, (calls.get(path) ?? 0) + 1);
    return new grpc.InterceptingCall(nextCall(options));
  };
  return { interceptor, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

export const CHECK = "/flowzone.v1.DecisionService/Check";
export const CHECK_BATCH = "/flowzone.v1.DecisionService/CheckBatch";

/** A connected guarded producer on the test broker; `close` disconnects it. */
export async function guardedProducer(options: Omit<GuardedProducerOptions, "kafka" | "logger"> & { logger?: Logger }): Promise<GuardedProducer> {
  const producer = createGuardedProducer({ kafka, logger: quietLogger, producerConfig: { idempotent: true }, ...options });
  await producer.connect();
  return producer;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Violation audit records on an audit topic, read from the beginning until `done` holds. */
export async function readAuditViolations(
  topic: string,
  done: (records: readonly AuditRecord[]) => boolean,
  timeoutMs = 20_000,
): Promise<AuditRecord[]> {
  const consumer = kafka.consumer({ groupId: `sdk-audit-${topic}-${Date.now()}` });
  const records: AuditRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`audit topic ${topic}: condition not met with ${records.length} violation records`));
      }, timeoutMs);
      const check = (): void => {
        if (!done(records)) return;
        clearTimeout(timer);
        resolve();
      };
      check();
      void consumer.run({
        eachMessage: ({ message }) => {
          if (message.value !== null) {
            const record = fromBinary(AuditRecordSchema, message.value);
            if (record.event.case === "violation") records.push(record);
          }
          check();
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/**
 * Every violation record of the audit topic up to the end offsets it has now: each partition is
 * read to its high watermark, so a record on a partition read last is never missed.
 */
export async function readAuditToEnd(topic: string, timeoutMs = 20_000): Promise<AuditRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())).map((p) => [p.partition, Number(p.high)]));
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([partition]) => partition));
  const records: AuditRecord[] = [];
  if (pending.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `sdk-audit-end-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`audit topic ${topic}: partitions ${[...pending].join(", ")} not read to their end within ${timeoutMs} ms`));
      }, timeoutMs);
      void consumer.run({
        eachMessage: ({ partition, message }) => {
          const end = ends.get(partition) ?? 0;
          if (Number(message.offset) < end && message.value !== null) {
            const record = fromBinary(AuditRecordSchema, message.value);
            if (record.event.case === "violation") records.push(record);
          }
          if (Number(message.offset) >= end - 1) pending.delete(partition);
          if (pending.size === 0) {
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
