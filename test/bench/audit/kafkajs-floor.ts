/**
 * bench:audit's kafkajs diagnostic: the audit records the run wrote, sent again by a bare kafkajs
 * producer with the audit writer's settings (idempotent, acks from all in-sync replicas, batches
 * of 500, one batch in flight) from the benchmark's own process once the services are stopped,
 * so nothing else of the benchmark runs beside it. Its CPU per record is what kafkajs alone costs
 * to put an audit record on the topic: the floor of audit on's cost while its records go through
 * kafkajs, beside which the service's own extra CPU per record reads.
 */
import { auditTopicSpec, ensureTopics } from "@flowzone/kafka";
import type { Kafka, Message } from "kafkajs";

import { measureOwnCpu } from "../common/cpu";
import { markdownTable } from "../common/report";
import type { CellSummary } from "./results";
import { CALL_NAME } from "./results";
import { dec, int } from "./settings";

/** The audit writer's batch (AUDIT_WRITER_DEFAULTS.batchMaxRecords). */
const BATCH_RECORDS = 500;

export interface KafkajsFloor {
  readonly topic: string;
  readonly records: number;
  readonly recordsPerSec: number;
  /** User + system CPU of the benchmark's process per 100k records sent. */
  readonly cpuPer100k: number;
  /** The same, of its event loop's thread alone. */
  readonly mainThreadCpuPer100k: number;
  readonly meanValueBytes: number;
}

/** Sends `records` records cycling through `sample` (audit records the service wrote) to a fresh audit topic, timed. */
export async function measureKafkajsFloor(kafka: Kafka, topic: string, sample: readonly Message[], records: number): Promise<KafkajsFloor> {
  if (sample.length === 0) throw new Error("no audit records to send again");
  await ensureTopics(kafka, [auditTopicSpec(topic)]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const batch = (from: number): Message[] => Array.from({ length: Math.min(BATCH_RECORDS, records - from) }, (_, i) => sample[(from + i) % sample.length] as Message);
    await producer.sendBatch({ topicMessages: [{ topic, messages: batch(0).slice(0, 1) }], acks: -1 }); // connections and metadata, untimed
    const measured = await measureOwnCpu(async () => {
      for (let sent = 0; sent < records; sent += BATCH_RECORDS) await producer.sendBatch({ topicMessages: [{ topic, messages: batch(sent) }], acks: -1 });
    });
    const meanValueBytes = sample.reduce((sum, m) => sum + (m.value?.length ?? 0), 0) / sample.length;
    return {
      topic,
      records,
      recordsPerSec: records / measured.seconds,
      cpuPer100k: (measured.cpuSeconds / records) * 100_000,
      mainThreadCpuPer100k: (measured.mainThreadCpuSeconds / records) * 100_000,
      meanValueBytes,
    };
  } finally {
    await producer.disconnect();
  }
}

/** The `### What kafkajs alone costs` part of the section: audit on's extra CPU per audit record against kafkajs's. */
export function renderKafkajsFloor(floor: KafkajsFloor, pairs: readonly { readonly off: CellSummary; readonly on: CellSummary }[]): string {
  return [
    "### What kafkajs alone costs per audit record (diagnostic)",
    "",
    `- After the rounds, with the services stopped, the benchmark's own process sends ${int(floor.records)} of audit on's records again (a sample of its topic, mean value ` +
      `${int(floor.meanValueBytes)} bytes, keyed by zone) to a fresh topic \`${floor.topic}\` with a bare kafkajs producer and the audit writer's settings: idempotent, ` +
      `acks from all in-sync replicas, batches of ${BATCH_RECORDS}, one in flight. It sent ${int(floor.recordsPerSec)} records/s for **${dec(floor.cpuPer100k)} s of CPU per 100k records**: ` +
      "what putting the records on the topic costs with kafkajs, whatever writes them.",
    "- Audit on's extra server CPU per audit record is (on − off) CPU per check ÷ audit records per check (the deny fraction); what is left after kafkajs's share is " +
      "the audit trail's own work (encoding, the write-ahead spool and its device flush, batching) and what the extra load does to the rest of the service.",
    "- The ceiling: the service answers and sends its audit records on one thread, so a check with the trail on costs at least audit off's CPU per check plus " +
      "kafkajs's per audit record times the records per check. Where that thread is the limit, audit on keeps at most off ÷ (off + kafkajs × records per check) " +
      "of audit off's checks/s, even if the trail's own work cost nothing; a goal above that ceiling is out of reach for any audit trail that sends with kafkajs on the service's thread.",
    "",
    markdownTable(
      ["call", "server CPU s / 100k checks off → on", "audit records per check", "extra CPU s / 100k audit records", "of which kafkajs alone", "the rest", "kafkajs ÷ extra", "ceiling on one thread (on ÷ off checks/s)", "measured on ÷ off checks/s"],
      pairs.map(({ off, on }) => {
        const extra = (on.serverCpuPer100k - off.serverCpuPer100k) / on.fraction;
        const ceiling = off.serverCpuPer100k / (off.serverCpuPer100k + floor.cpuPer100k * on.fraction);
        return [
          CALL_NAME[on.call],
          `${dec(off.serverCpuPer100k)} → ${dec(on.serverCpuPer100k)}`,
          dec(on.fraction, 3),
          dec(extra),
          dec(floor.cpuPer100k),
          dec(extra - floor.cpuPer100k),
          dec(floor.cpuPer100k / extra),
          dec(ceiling, 3),
          dec(on.checksPerSec / off.checksPerSec, 3),
        ];
      }),
    ),
  ].join("\n");
}
