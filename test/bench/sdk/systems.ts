/**
 * The producers bench:sdk compares, behind one `send` of a batch: a bare kafkajs producer, and
 * the guarded producer deciding remotely (with and without the cache) and embedded. All use the
 * same kafkajs settings: idempotent, acks -1.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";

import type { Kafka, Message } from "kafkajs";

import { encodeFlowHeaders } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { createGuardedProducer, type GuardedProducer } from "@flowzone/sdk";
import { embeddedDecider } from "@flowzone/sdk/embedded";

export type SystemName = "bare" | "bare-headers" | "embedded" | "remote-cache" | "remote-nocache";

export const SYSTEM_LABELS: Readonly<Record<SystemName, string>> = {
  bare: "bare kafkajs producer (reference)",
  "bare-headers": "bare kafkajs producer, messages carrying the flowzone headers (kafkajs' limit)",
  embedded: "guarded, embedded engine (cache on)",
  "remote-cache": "guarded, remote decision service, cache on",
  "remote-nocache": "guarded, remote decision service, cache off (one Check per send; diagnostic)",
};

/** What every system does: write one batch to the topic, resolve once the broker acknowledged. */
export interface BenchProducer {
  send(messages: Message[]): Promise<void>;
  stats(): string;
  close(): Promise<void>;
}

export interface SystemContext {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topic: string;
  readonly policyDir: string;
  readonly pdpAddress: string;
  readonly workDir: string;
}

/** The flow of every guarded send: banana data into a banana topic, a clean allow. */
const FLOW = { producer: "svc:banana-bench", labels: ["banana"] };

/**
 * The headers a guarded send of FLOW puts on each message, with a decision id shaped like the
 * decision service's (`<12 base64url>-<counter>`): what "bare-headers" writes with no decision.
 */
const FLOW_HEADERS = encodeFlowHeaders({ labels: FLOW.labels, sources: [], purpose: "", decisionId: `${randomBytes(9).toString("base64url")}-1` });

export async function startSystem(name: SystemName, ctx: SystemContext): Promise<BenchProducer> {
  if (name === "bare" || name === "bare-headers") {
    const producer = ctx.kafka.producer({ idempotent: true });
    await producer.connect();
    // As the guarded producer does: each send's messages copied, field by field (a spread is slow
    // on Node 20: flow-write.ts), with the headers added.
    const withHeaders = (messages: Message[]): Message[] =>
      name === "bare" ? messages : messages.map((m) => ({ key: m.key, value: m.value, partition: m.partition, timestamp: m.timestamp, headers: FLOW_HEADERS }));
    return {
      send: async (messages) => {
        await producer.send({ topic: ctx.topic, messages: withHeaders(messages), acks: -1 });
      },
      stats: () => "",
      close: () => producer.disconnect(),
    };
  }
  const decider =
    name === "embedded"
      ? embeddedDecider({ policyDir: ctx.policyDir, auditSpoolDir: join(ctx.workDir, `spool-${Date.now()}`) })
      : ({ mode: "remote", address: ctx.pdpAddress } as const);
  const guarded: GuardedProducer = createGuardedProducer({
    kafka: ctx.kafka,
    logger: ctx.logger,
    decider,
    producerConfig: { idempotent: true },
    acks: -1,
    ...(name === "remote-nocache" ? { cacheMaxEntries: 0 } : {}),
  });
  await guarded.connect();
  return {
    send: async (messages) => {
      await guarded.send({ topic: ctx.topic, messages, flow: FLOW });
    },
    stats: () => {
      const s = guarded.stats();
      return `decision calls ${s.decisionCalls}, cache hits ${s.cacheHits}, unchecked ${s.unchecked}`;
    },
    close: () => guarded.disconnect(),
  };
}
