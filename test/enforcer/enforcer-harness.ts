/** Shared pieces of the enforcer's broker tests: a two-zone bundle, input records, the signal that the enforcer caught up, the exactly-once check. */
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { consumerGroupOf, DEFAULT_PRODUCER, type Route } from "@flowzone/enforcer";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import type { IHeaders, Kafka, KafkaMessage } from "kafkajs";

import { uniqueTopic } from "../support/kafka";
import { waitUntil } from "../support/poll";
import { FLOWZONE_MAIN } from "../support/processes";
import { endOffsets } from "../support/topics";

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
 * With `from` undefined no topic carries a label: a record has only those of its headers.
 */
export function bundleYaml(from: string | undefined, healthMode: "enforcement" | "logging" = "enforcement"): string {
  const source = from === undefined ? "" : `kind: Asset\nid: kafka:${from}\nlabels: [banana]\n---\n`;
  return `
kind: Label
name: banana
---
kind: Label
name: health
---
${source}kind: Asset
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

/** One input record of the fault tests: `r<i>`, every third one labelled health. */
export function inputRecord(i: number): { key: string; value: string; headers: IHeaders } {
  return { key: `k${i}`, value: `r${i}`, headers: i % 3 === 0 ? { "flowzone-labels": "health" } : {} };
}

/**
 * Waits until the route's consumer group has committed every partition of its source topic up to
 * the end offsets the topic has now: every record written before the call has been decided and
 * what came of it is on the output, quarantine and audit topics (a transaction writes its records
 * before it commits the input offsets with them, so the end offsets those topics have afterwards
 * reach past them), and nothing more will come of those records. The signal to wait for before
 * reading what the enforcer wrote to the end offsets (readToEnd, or readCommittedExactly where
 * kills left aborted transactions), which sees every record and every duplicate, where reading
 * "until N records and quiet for 2 s" stopped whenever a duplicate was merely slow.
 */
export async function waitForEnforcerCaughtUp(kafka: Kafka, route: Route, timeoutMs = 60_000): Promise<void> {
  const ends = await endOffsets(kafka, route.from);
  await waitUntil(
    `${consumerGroupOf(route)} to commit ${route.from} to its end offsets ${[...ends].map(([p, end]) => `${p}:${end}`).join(", ")}`,
    () => committedOffsets(kafka, route),
    (committed) => [...ends].every(([partition, end]) => (committed.get(partition) ?? 0) >= end),
    { timeoutMs, intervalMs: 200 },
  );
}

/**
 * Waits until the route's consumer group has committed some of its input, and so written its
 * first outputs: the enforcer is at work (a kill now lands mid-stream).
 */
export async function waitForEnforcerProgress(kafka: Kafka, route: Route, timeoutMs = 60_000): Promise<void> {
  await waitUntil(`${consumerGroupOf(route)} to commit some of ${route.from}`, () => committedOffsets(kafka, route), (committed) => [...committed.values()].some((offset) => offset > 0), { timeoutMs, intervalMs: 200 });
}

/** The offsets the route's group has committed per partition of its source topic (0 where none). */
export async function committedOffsets(kafka: Kafka, route: Route): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: consumerGroupOf(route), topics: [route.from] });
    // -1: nothing committed yet.
    return new Map((committed?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
  } finally {
    await admin.disconnect();
  }
}

/** The route of the enforcer processes of the fault tests, as their routes file names it. */
export function processRoute(topics: TestTopics): Route {
  return { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: DEFAULT_PRODUCER };
}

/** The routes file of {@link processRoute}. */
export function writeProcessRoutesFile(topics: TestTopics): Promise<string> {
  return writeRoutesFile(`kind: Route\nname: ${topics.from}\nfrom: ${topics.from}\nto: ${topics.to}\n`);
}

export function header(message: KafkaMessage | undefined, name: string): string | undefined {
  return message?.headers?.[name]?.toString();
}

export function decodeAudit(message: KafkaMessage): AuditRecord {
  return fromBinary(AuditRecordSchema, message.value ?? Buffer.alloc(0));
}

/** The compiled `flowzone` command, whose `enforcer` is the one entry point production runs; fails naming the fix when it is not built. */
export function enforcerMain(): string {
  if (!existsSync(FLOWZONE_MAIN)) {
    throw new Error(`${FLOWZONE_MAIN} is missing: run \`npm run build\` (npm test builds before jest) to compile the flowzone command`);
  }
  return FLOWZONE_MAIN;
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
