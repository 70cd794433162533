/**
 * bench:audit's neighbour: a process of its own that puts audit records on a fresh topic at a paced
 * rate while audit off answers the load, so the run shows what carrying an audit trail's records
 * costs the machine when none of it runs on the service's thread. `kafkajs`: a bare producer with
 * the audit writer's settings (idempotent, acks from all in-sync replicas, one batch in flight, a
 * batch sent once it holds 500 records or its first has waited 50 ms), the cheapest way to put the
 * records on the topic with kafkajs; `writer`: the
 * product's AuditWriter (spool, device flush, group commit), the trail as built moved off the
 * service's thread. Each stdin line "<records per second> <ms>" runs one paced stretch and answers
 * with a NeighbourStretch line; exits when stdin closes.
 *
 * Usage: node neighbour-child.js '<NeighbourConfig as JSON>'
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

import { AUDIT_WRITER_DEFAULTS, AuditWriter, type EncodedAuditRecord } from "@flowzone/audit";
import { auditTopicSpec, createKafka, ensureTopics } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import type { Producer } from "kafkajs";

import { measureOwnCpu } from "../common/cpu";
import { everyTick } from "../common/ticks";
import type { NeighbourConfig, NeighbourStretch } from "./child-protocol";

const { batchMaxRecords, lingerMs } = AUDIT_WRITER_DEFAULTS;
/**
 * Records come due this often. The service offers its records as it answers, awake for its calls
 * anyway; a neighbour waking every millisecond would charge the machine for wake-ups a trail in
 * the service does not pay, so it wakes no more often than a batch could fill.
 */
const PACE_TICK_MS = 5;
/** How long the audit writer gets to send what it holds when stdin closes. */
const CLOSE_TIMEOUT_MS = 10_000;

/** Puts records on the topic; `sent()` counts those Kafka acknowledged. */
interface Sender {
  /** Takes records; a bare producer also sends on each offer whatever batch is due. */
  offer(records: readonly EncodedAuditRecord[]): void;
  sent(): number;
  close(): Promise<void>;
}

function bareProducer(producer: Producer, topic: string): Sender {
  const queue: EncodedAuditRecord[] = [];
  let oldestAt = 0;
  let sent = 0;
  let sending = false;
  let pumping = Promise.resolve();
  let failure: Error | undefined;
  const due = (): boolean => queue.length >= batchMaxRecords || (queue.length > 0 && performance.now() - oldestAt >= lingerMs);
  const pump = async (): Promise<void> => {
    sending = true;
    while (due()) {
      const batch = queue.splice(0, batchMaxRecords);
      oldestAt = performance.now();
      await producer.sendBatch({ topicMessages: [{ topic, messages: batch }], acks: -1 });
      sent += batch.length;
    }
    sending = false;
  };
  return {
    offer(records) {
      if (failure !== undefined) throw failure;
      if (queue.length === 0) oldestAt = performance.now();
      for (const r of records) queue.push(r);
      if (!sending && due()) pumping = pump().catch((error: unknown) => { failure = error instanceof Error ? error : new Error(String(error)); });
    },
    sent: () => sent,
    async close() {
      await pumping;
      if (queue.length > 0) await producer.sendBatch({ topicMessages: [{ topic, messages: queue.splice(0) }], acks: -1 });
      await producer.disconnect();
    },
  };
}

function auditWriter(writer: AuditWriter): Sender {
  return {
    offer(records) {
      if (records.length === 0) return;
      const offered = writer.offer(records);
      if (!offered.accepted) throw new Error(`the audit writer refused records: ${offered.reason}`);
    },
    sent: () => writer.stats().sent,
    close: () => writer.close(CLOSE_TIMEOUT_MS),
  };
}

/** Offers, every tick for `ms`, the records that have come due at `perSecond`. */
async function stretch(sender: Sender, sample: readonly EncodedAuditRecord[], perSecond: number, ms: number, first: number): Promise<NeighbourStretch> {
  const sent0 = sender.sent();
  const start = performance.now();
  let offered = 0;
  const measured = await measureOwnCpu(() =>
    everyTick(PACE_TICK_MS, () => {
      const elapsed = performance.now() - start;
      const due = Math.floor((Math.min(elapsed, ms) / 1000) * perSecond);
      const batch: EncodedAuditRecord[] = [];
      for (; offered < due; offered += 1) batch.push(sample[(first + offered) % sample.length] as EncodedAuditRecord);
      sender.offer(batch);
      return elapsed >= ms;
    }),
  );
  return { neighbourStretch: true, offered, sent: sender.sent() - sent0, cpuSeconds: measured.cpuSeconds };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (text === undefined) throw new Error("usage: neighbour-child '<config json>'");
  const config = JSON.parse(text) as NeighbourConfig;
  const sample = (JSON.parse(readFileSync(config.sampleFile, "utf8")) as { key: string; value: string }[]).map(
    (m): EncodedAuditRecord => ({ key: m.key, value: Buffer.from(m.value, "base64") }),
  );
  if (sample.length === 0) throw new Error(`no audit records in ${config.sampleFile}`);
  const logger = createLogger({ level: "error", service: "flowzone-bench-audit-neighbour" });
  const kafka = createKafka({ brokers: [config.brokers], clientId: `bench-audit-neighbour-${config.mode}`, logger });
  await ensureTopics(kafka, [auditTopicSpec(config.topic)]);
  let sender: Sender;
  if (config.mode === "kafkajs") {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    sender = bareProducer(producer, config.topic);
  } else {
    sender = auditWriter(await AuditWriter.start({ kafka, logger, spoolDir: config.spoolDir, topic: config.topic }));
  }
  sender.offer(sample.slice(0, 1)); // connections, metadata (and the writer's first segment), before the first stretch
  process.stdout.write('{"neighbourReady":true}\n');
  let first = 1;
  for await (const line of createInterface({ input: process.stdin })) {
    const [perSecond = 0, ms = 0] = line.split(" ").map(Number);
    const result = await stretch(sender, sample, perSecond, ms, first);
    first += result.offered;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  await sender.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
