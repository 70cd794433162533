/**
 * Shared set-up of the SDK tests: a bundle whose zones cover deny, would-deny and clean allows,
 * decoders of what landed (headers as text, violation audit records) on top of the support
 * library's reading to end offsets, a call counter on the gRPC channel, and a guarded-producer
 * factory on the shared test broker.
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

import { testKafka, uniqueTopic } from "../support/kafka";
import { waitUntil } from "../support/poll";
import { readToEnd, type TopicMessage } from "../support/topic-tail";

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
  "zones/email.yaml": emailZone(),
  "zones/loc.yaml": locZone("off"),
};

/** Zone email (logging, members kafka:crm-*), with the fail mode given if any. */
export function emailZone(failMode?: "open" | "closed"): string {
  return `kind: Zone
name: email
description: Emails stay in the CRM
protects: [pii.email]
members: [kafka:crm-*]
mode: logging
${failMode === undefined ? "" : `failMode: ${failMode}\n`}`;
}

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

/** A record's headers as text (a header given twice is joined with `|`). */
export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join("|") : value.toString();
  }
  return out;
}

/** Every record of `topic` up to its end offsets now, as value and header text. */
export async function recordsOf(topic: string): Promise<{ value: string; headers: Record<string, string> }[]> {
  return (await readToEnd(kafka, topic)).map((m) => ({ value: m.value?.toString("utf8") ?? "", headers: headerStrings(m.headers) }));
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

/**
 * A connected guarded producer on the test broker; `close` disconnects it. A remote one follows a
 * control topic of its own unless given one, so no other test's bundle sets its fail posture.
 */
export async function guardedProducer(options: Omit<GuardedProducerOptions, "kafka" | "logger"> & { logger?: Logger }): Promise<GuardedProducer> {
  const decider = options.decider.mode === "remote" ? { controlTopic: uniqueTopic("sdk-control"), ...options.decider } : options.decider;
  const producer = createGuardedProducer({ kafka, logger: quietLogger, producerConfig: { idempotent: true }, ...options, decider });
  await producer.connect();
  return producer;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The violation records among audit records as read from the audit topic. */
export function auditViolations(messages: readonly TopicMessage[]): AuditRecord[] {
  return messages.flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)])).filter((r) => r.event.case === "violation");
}

/**
 * Waits until the violation records of the audit topic satisfy `done`, each attempt reading every
 * partition to the end offsets it has then, and returns the last read: all of them, not only
 * those that satisfied `done`.
 */
export function awaitAuditViolations(topic: string, what: string, done: (records: readonly AuditRecord[]) => boolean, timeoutMs = 20_000): Promise<AuditRecord[]> {
  return waitUntil(what, async () => auditViolations(await readToEnd(kafka, topic)), done, { timeoutMs, intervalMs: 200 });
}
