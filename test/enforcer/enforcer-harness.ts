/** Shared pieces of the enforcer's broker tests: a two-zone bundle, producing, reading back. */
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import type { IHeaders, Kafka, KafkaMessage } from "kafkajs";

import { uniqueTopic } from "../support/kafka";

/** The topics of one test. */
export interface TestTopics {
  readonly from: string;
  readonly to: string;
  readonly quarantine: string;
  readonly audit: string;
}

export function testTopics(prefix: string): TestTopics {
  const from = uniqueTopic(`${prefix}-in`);
  const to = uniqueTopic(`${prefix}-out`);
  return { from, to, quarantine: `${to}.quarantine`, audit: uniqueTopic(`${prefix}-audit`) };
}

/**
 * A bundle where the `from` topic carries `banana` (zone banana: logging) and `health` is
 * protected by an enforcing zone; neither zone has the output topic as a member, so every
 * record violates banana (logged, forwarded) and a health record also violates health (enforced).
 */
export function bundleYaml(from: string, healthMode: "enforcement" | "logging" = "enforcement"): string {
  return `
kind: Label
name: banana
---
kind: Label
name: health
---
kind: Asset
id: kafka:${from}
labels: [banana]
---
kind: Asset
id: table:patients
labels: [health]
---
kind: Zone
name: banana
protects: [banana]
members: [kafka:banana-*]
mode: logging
---
kind: Zone
name: health
protects: [health]
members: [kafka:health-*]
mode: ${healthMode}
`;
}

/** Writes the bundle into a fresh temp directory and returns it. */
export async function writeBundleDir(from: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flowzone-enforcer-policy-"));
  await writeFile(path.join(dir, "bundle.yaml"), bundleYaml(from));
  return dir;
}

/** Writes a routes file next to nothing else and returns its path. */
export async function writeRoutesFile(content: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flowzone-enforcer-routes-"));
  const file = path.join(dir, "routes.yaml");
  await writeFile(file, content);
  return file;
}

export async function createTopics(kafka: Kafka, topics: readonly string[], partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** One input record of the fault tests: `r<i>`, every third one labelled health. */
export function inputRecord(i: number): { key: string; value: string; headers: IHeaders } {
  return { key: `k${i}`, value: `r${i}`, headers: i % 3 === 0 ? { "flowzone-labels": "health" } : {} };
}

export async function produce(kafka: Kafka, topic: string, messages: { key?: string | null; value: string | null; headers?: IHeaders }[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let start = 0; start < messages.length; start += 500) {
      await producer.send({ topic, acks: -1, messages: messages.slice(start, start + 500) });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning with read_committed until at least `atLeast` records arrived
 * and none came for `quietMs` (so duplicates beyond the expected count are seen too), or throws
 * after `timeoutMs` saying how many it got.
 */
export async function readCommitted(kafka: Kafka, topic: string, atLeast: number, timeoutMs = 60_000, quietMs = 2_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueTopic("reader"), readUncommitted: false, maxWaitTimeInMs: 200 });
  // By position: a record kafkajs delivers again (a rebalance of the reader's own group) is the
  // same record, while a record the enforcer wrote twice sits at two positions and still counts twice.
  const seen = new Map<string, KafkaMessage>();
  let lastAt = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        seen.set(`${partition}@${message.offset}`, message);
        lastAt = Date.now();
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!(seen.size >= atLeast && Date.now() - lastAt >= quietMs)) {
      if (Date.now() > deadline) throw new Error(`read ${seen.size} of at least ${atLeast} records from ${topic} in ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  return [...seen.values()];
}

/** Polls `condition` every 200 ms until true, or throws `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function header(message: KafkaMessage | undefined, name: string): string | undefined {
  return message?.headers?.[name]?.toString();
}

export function decodeAudit(message: KafkaMessage): AuditRecord {
  return fromBinary(AuditRecordSchema, message.value ?? Buffer.alloc(0));
}

/** The compiled `flowzone` command, whose `enforcer` is the one entry point production runs; `npm test` builds it before jest. */
export function enforcerMain(): string {
  const main = path.join(__dirname, "..", "..", "services", "cli", "dist", "main.js");
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: run \`npm run build\` (npm test builds before jest) to compile the flowzone command`);
  }
  return main;
}

/**
 * Checks the exactly-once outcome of the fault tests for records r0..r(n-1): each one exactly
 * once, in `to` unless it carries health (then in quarantine), and exactly one audit record per
 * violation (banana for every record, health for every third) with its input position.
 */
export function expectExactlyOnce(n: number, out: KafkaMessage[], quarantined: KafkaMessage[], audits: KafkaMessage[]): void {
  const values = (messages: KafkaMessage[]): string[] => messages.map((m) => m.value?.toString() ?? "");
  const expectedOut = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `r${i}`);
  const expectedQuarantine = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => `r${i}`);
  expect(values(out).sort()).toEqual(expectedOut.sort());
  expect(values(quarantined).sort()).toEqual(expectedQuarantine.sort());
  expect(out.filter((m) => header(m, "flowzone-labels")?.includes("health") === true)).toEqual([]);
  const records = audits.map(decodeAudit);
  const ids = records.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(records.filter((r) => r.zone === "banana")).toHaveLength(n);
  expect(records.filter((r) => r.zone === "health")).toHaveLength(expectedQuarantine.length);
  const positions = new Set(records.map((r) => (r.event.case === "violation" ? `${r.zone}@${r.event.value.position?.partition}/${r.event.value.position?.offset}` : "")));
  expect(positions.size).toBe(records.length);
}
