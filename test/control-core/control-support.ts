/**
 * Shared fixtures of the control-core integration tests: a PostgreSQL schema per test, audit
 * records encoded as the decision services encode them, a movable clock and a topic reader.
 */
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";

import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { openDatabase, type Database } from "@flowzone/control";
import { createLogger, type Logger } from "@flowzone/logging";
import { AuditRecordSchema, EnforcementPoint, Mode } from "@flowzone/proto";
import type { Kafka, KafkaMessage } from "kafkajs";

/** The test PostgreSQL server (trust auth). */
export const TEST_DATABASE_URL = process.env.FLOWZONE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A store in a fresh schema of the test database; `drop()` removes the schema and closes the pool. */
export async function openTestDatabase(): Promise<{ db: Database; schema: string; drop: () => Promise<void> }> {
  const schema = `control_${randomBytes(6).toString("hex")}`;
  const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "unused", schema });
  return {
    db,
    schema,
    drop: async () => {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.close();
    },
  };
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public ms: number = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A silent logger that keeps its lines, to assert on what was logged. */
export function collectingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

/** One violating flow. */
export interface Flow {
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
}

/** A violation AuditRecord as a decision service writes it (key = zone), decided under `policyVersion`. */
export function violationRecord(flow: Flow, timeMs: number, policyVersion = "sha256:test@0"): { key: string; value: Buffer } {
  const record = create(AuditRecordSchema, {
    id: randomBytes(8).toString("hex"),
    time: timestampFromMs(timeMs),
    zone: flow.zone,
    policyVersion,
    event: {
      case: "violation",
      value: {
        decisionId: randomBytes(8).toString("hex"),
        rule: flow.rule,
        mode: Mode.LOGGING,
        enforced: false,
        labels: [...flow.labels],
        producer: flow.producer,
        sink: flow.sink,
        enforcementPoint: EnforcementPoint.DECISION_SERVICE,
        reason: "test",
      },
    },
  });
  return { key: flow.zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}

/** A zone_traffic AuditRecord: `decisions` evaluated for the zone in a window ending at `timeMs`. */
export function trafficRecord(zone: string, decisions: number, timeMs: number): { key: string; value: Buffer } {
  const record = create(AuditRecordSchema, {
    id: randomBytes(8).toString("hex"),
    time: timestampFromMs(timeMs),
    zone,
    event: {
      case: "zoneTraffic",
      value: {
        decisions: BigInt(decisions),
        windowStart: timestampFromMs(timeMs - 1000),
        windowEnd: timestampFromMs(timeMs),
        enforcementPoint: EnforcementPoint.DECISION_SERVICE,
        reporter: "test",
      },
    },
  });
  return { key: zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}

/** Produces records (acks -1) and disconnects. */
export async function produce(kafka: Kafka, topic: string, messages: readonly { key: string; value: Buffer | null }[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500).map((m) => ({ key: m.key, value: m.value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Every record of a topic up to its current end, in partition order. */
export async function readTopic(kafka: Kafka, topic: string): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
  const messages: KafkaMessage[] = [];
  if (remaining.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(4).toString("hex")}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out reading ${topic}`));
    }, 20_000);
    consumer
      .run({
        eachMessage: ({ partition, message }) => {
          messages.push(message);
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return messages;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A small policy: zone banana (quiet period 60s, one extra rule) and zone apple (autoEnforce). */
export const BUNDLE: Readonly<Record<string, string>> = {
  "labels.yaml": ["kind: Label", "name: banana", "---", "kind: Label", "name: apple", ""].join("\n"),
  "zones.yaml": [
    "kind: Zone",
    "name: banana",
    "owners: [privacy-banana]",
    "protects: [banana]",
    "members: [kafka:banana-*, svc:banana-ranker]",
    "purposes: [banana]",
    "quietPeriod: 60s",
    "rules:",
    "  - name: no-export",
    "    deny: [kafka:export-*]",
    "---",
    "kind: Zone",
    "name: apple",
    "owners: [privacy-apple]",
    "protects: [apple]",
    "members: [kafka:apple-*]",
    "quietPeriod: 30s",
    "autoEnforce: true",
    "",
  ].join("\n"),
};
