/**
 * bench:audit's audit writer diagnostic: the product's AuditWriter, started in the benchmark's own
 * process once the services are stopped (a fresh spool, the device flush on, its default batching),
 * and offered audit on's records one per offer by as many waiters as the stream cell keeps checks
 * in flight. Each waiter offers again once its record is on the device, as an answer under
 * CheckStream waits, until Kafka has every record. Its CPU per record is what the audit trail
 * itself costs (write-ahead spool, device flush, batching and kafkajs), with no gRPC, engine or
 * load generator beside it; set beside kafkajs alone and audit on's extra CPU, it splits the
 * service's cost into kafkajs, the rest of the trail, and what the trail's load does to the service.
 */
import { AuditWriter, type EncodedAuditRecord } from "@flowzone/audit";
import { auditTopicSpec, ensureTopics } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import type { Kafka, Message } from "kafkajs";

import { threadCpuSeconds } from "../common/cpu";
import { markdownTable } from "../common/report";
import type { KafkajsFloor } from "./kafkajs-floor";
import { CALL_NAME, type CellSummary } from "./results";
import { dec, int } from "./settings";

const SENT_POLL_MS = 5;
const SENT_TIMEOUT_MS = 120_000;

export interface WriterAlone {
  readonly topic: string;
  readonly records: number;
  readonly inFlight: number;
  readonly recordsPerSec: number;
  /** User + system CPU of the benchmark's process per 100k records, from the first offer until Kafka has the last record. */
  readonly cpuPer100k: number;
  /** The same, of its event loop's thread alone. */
  readonly mainThreadCpuPer100k: number;
}

export interface WriterAloneOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topic: string;
  readonly spoolDir: string;
  /** Audit records the service wrote; offered again, cycling. */
  readonly sample: readonly Message[];
  readonly records: number;
  /** Offers waiting for the device at once: the stream cell's checks in flight. */
  readonly inFlight: number;
}

/** Offers `records` records through a fresh AuditWriter and waits until Kafka has them all, timed. */
export async function measureWriterAlone(options: WriterAloneOptions): Promise<WriterAlone> {
  const { kafka, topic, records, inFlight } = options;
  const sample = options.sample.map(toAuditRecord);
  if (sample.length === 0) throw new Error("no audit records to offer again");
  await ensureTopics(kafka, [auditTopicSpec(topic)]);
  const writer = await AuditWriter.start({ kafka, logger: options.logger, spoolDir: options.spoolDir, topic });
  try {
    await offerAndAwait(writer, [sample[0] as EncodedAuditRecord]); // connections, metadata and the first segment, untimed
    await waitForSent(writer, 1);
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuSeconds(process.pid, process.pid);
    const t0 = performance.now();
    let offered = 0;
    const waiter = async (): Promise<void> => {
      while (offered < records) {
        const record = sample[offered % sample.length] as EncodedAuditRecord;
        offered += 1;
        await offerAndAwait(writer, [record]);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, waiter));
    await waitForSent(writer, records + 1);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const mainThreadCpuPer100k = ((threadCpuSeconds(process.pid, process.pid) - main0) / records) * 100_000;
    return { topic, records, inFlight, recordsPerSec: records / seconds, cpuPer100k: ((cpu.user + cpu.system) / 1e6 / records) * 100_000, mainThreadCpuPer100k };
  } finally {
    await writer.close(10_000);
  }
}

function toAuditRecord(message: Message): EncodedAuditRecord {
  const value = typeof message.value === "string" ? Buffer.from(message.value) : message.value;
  if (value === null) throw new Error("an audit record without a value");
  return { key: message.key?.toString() ?? "", value };
}

async function offerAndAwait(writer: AuditWriter, records: readonly EncodedAuditRecord[]): Promise<void> {
  const offered = writer.offer(records);
  if (!offered.accepted) throw new Error(`the audit writer refused a record: ${offered.reason}`);
  await offered.durable;
}

async function waitForSent(writer: AuditWriter, records: number): Promise<void> {
  const deadline = performance.now() + SENT_TIMEOUT_MS;
  while (writer.stats().sent < records) {
    if (performance.now() > deadline) throw new Error(`the audit writer sent ${writer.stats().sent} of ${records} records within ${SENT_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, SENT_POLL_MS));
  }
}

/** The `### What the audit writer alone costs` part of the section, beside kafkajs alone and audit on's extra CPU. */
export function renderWriterAlone(writer: WriterAlone, floor: KafkajsFloor, pairs: readonly { readonly off: CellSummary; readonly on: CellSummary }[]): string {
  return [
    "### What the audit writer alone costs per audit record (diagnostic)",
    "",
    `- After kafkajs alone, the benchmark's own process starts the product's audit writer (a fresh spool, the device flush on, its default batching) on a fresh topic ` +
      `\`${writer.topic}\` and offers ${int(writer.records)} of audit on's records, one per offer, from ${int(writer.inFlight)} waiters (the stream cell's checks in flight), ` +
      "each offering again once its record is on the device, until Kafka has them all. No gRPC, engine or load generator runs beside it.",
    "- The event loop's thread is the one that answers in the service, and the one that limits audit on under the stream; the rest of the CPU is V8's garbage-collection " +
      "helpers and the thread pool (the spool's writes).",
    "",
    markdownTable(
      ["in the benchmark's process", "records/s", "CPU s / 100k records, all threads", "of it on the event loop's thread"],
      [
        ["kafkajs alone (batches of 500)", int(floor.recordsPerSec), dec(floor.cpuPer100k), dec(floor.mainThreadCpuPer100k)],
        ["the audit writer alone", int(writer.recordsPerSec), dec(writer.cpuPer100k), dec(writer.mainThreadCpuPer100k)],
      ],
    ),
    "",
    "- Per call: audit on's extra server CPU per audit record (as above), the audit writer's share of it, and the ceiling on one thread were the service's only extra " +
      "work the writer's: off ÷ (off + writer × records per check).",
    "",
    markdownTable(
      ["call", "extra CPU s / 100k audit records", "the audit writer alone", "the rest (the trail's load on the service)", "ceiling with the writer's cost (on ÷ off checks/s)", "measured on ÷ off checks/s"],
      pairs.map(({ off, on }) => {
        const extra = (on.serverCpuPer100k - off.serverCpuPer100k) / on.fraction;
        return [
          CALL_NAME[on.call],
          dec(extra),
          dec(writer.cpuPer100k),
          dec(extra - writer.cpuPer100k),
          dec(off.serverCpuPer100k / (off.serverCpuPer100k + writer.cpuPer100k * on.fraction), 3),
          dec(on.checksPerSec / off.checksPerSec, 3),
        ];
      }),
    ),
  ].join("\n");
}
