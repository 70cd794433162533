/**
 * bench:audit's audit writer diagnostic: the product's AuditWriter, started in the benchmark's own
 * process once the services are stopped (a fresh spool, the device flush on, its default
 * batching), offered audit on's records one per offer until Kafka has them all: once as fast as it
 * goes (as many waiters as the stream cell keeps checks in flight, each offering again once its
 * record is on the device), then paced at the rate audit on wrote audit records under each call.
 * Its CPU per record is what the audit trail itself costs (write-ahead spool, device flush,
 * batching and kafkajs) with no gRPC, engine or load generator beside it; set beside kafkajs alone
 * and audit on's extra CPU, it splits the service's cost into kafkajs, the rest of the writer, and
 * what is left in the service.
 */
import { AuditWriter, type EncodedAuditRecord } from "@flowzone/audit";
import { auditTopicSpec, ensureTopics } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import type { Kafka, Message } from "kafkajs";

import { measureOwnCpu } from "../common/cpu";
import { everyTick } from "../common/ticks";
import { markdownTable } from "../common/report";
import type { KafkajsFloor } from "./kafkajs-floor";
import { CALL_NAME, type Call, type CellSummary } from "./results";
import { dec, int } from "./settings";

const SENT_POLL_MS = 5;
const SENT_TIMEOUT_MS = 120_000;
/** How often a paced run offers the records that have come due. */
const PACE_TICK_MS = 1;
/** How long each paced run offers records. */
const PACED_SECONDS = 8;

export interface WriterAlone {
  readonly topic: string;
  readonly records: number;
  /** Offers waiting for the device at once, as fast as the writer goes; undefined for a paced run. */
  readonly inFlight: number | undefined;
  /** The rate a paced run offered at; undefined when as fast as it goes. */
  readonly pacedRecordsPerSec: number | undefined;
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
  /**
   * `inFlight`: as fast as it goes, that many offers waiting for the device at once (the stream
   * cell's checks in flight), each offering again once its record is on the device. `perSecond`:
   * open loop at that rate, the records come due offered every millisecond, one per offer.
   */
  readonly load: { readonly inFlight: number } | { readonly perSecond: number };
}

/** Offers `records` records through a fresh AuditWriter and waits until Kafka has them all, timed. */
export async function measureWriterAlone(options: WriterAloneOptions): Promise<WriterAlone> {
  const { kafka, topic, records, load } = options;
  const sample = options.sample.map(toAuditRecord);
  if (sample.length === 0) throw new Error("no audit records to offer again");
  await ensureTopics(kafka, [auditTopicSpec(topic)]);
  const writer = await AuditWriter.start({ kafka, logger: options.logger, spoolDir: options.spoolDir, topic });
  try {
    await offer(writer, sample[0] as EncodedAuditRecord); // connections, metadata and the first segment, untimed
    await waitForSent(writer, 1);
    const next = (n: number): EncodedAuditRecord => sample[n % sample.length] as EncodedAuditRecord;
    const measured = await measureOwnCpu(async () => {
      if ("inFlight" in load) await closedLoop(writer, records, load.inFlight, next);
      else await paced(writer, records, load.perSecond, next);
      await waitForSent(writer, records + 1);
    });
    return {
      topic,
      records,
      inFlight: "inFlight" in load ? load.inFlight : undefined,
      pacedRecordsPerSec: "perSecond" in load ? load.perSecond : undefined,
      recordsPerSec: records / measured.seconds,
      cpuPer100k: (measured.cpuSeconds / records) * 100_000,
      mainThreadCpuPer100k: (measured.mainThreadCpuSeconds / records) * 100_000,
    };
  } finally {
    await writer.close(10_000);
  }
}

export interface WriterAloneRuns {
  readonly fastest: WriterAlone;
  readonly pacedByCall: ReadonlyMap<Call, WriterAlone>;
}

/**
 * The writer as fast as it goes (`records` from `inFlight` waiters), then paced at each call's
 * rate of audit records under audit on for {@link PACED_SECONDS}; each run on a fresh topic and
 * spool (`<topic>-<run>`, `<spoolDir>-<run>`).
 */
export async function measureWriterAloneRuns(
  base: Omit<WriterAloneOptions, "load" | "records">,
  records: number,
  inFlight: number,
  onCalls: readonly CellSummary[],
  progress: (line: string) => void,
): Promise<WriterAloneRuns> {
  const run = (name: string, load: WriterAloneOptions["load"], count: number): Promise<WriterAlone> =>
    measureWriterAlone({ ...base, topic: `${base.topic}-${name}`, spoolDir: `${base.spoolDir}-${name}`, records: count, load });
  const report = (what: string, result: WriterAlone): void => {
    progress(`the audit writer alone, ${what}: ${int(result.recordsPerSec)} records/s, ${dec(result.cpuPer100k)} s of CPU per 100k records (${dec(result.mainThreadCpuPer100k)} on the event loop's thread)`);
  };
  progress(`the audit writer alone: offering ${int(records)} of audit on's records again, ${int(inFlight)} waiting for the device at once`);
  const fastest = await run("fastest", { inFlight }, records);
  report("as fast as it goes", fastest);
  const pacedByCall = new Map<Call, WriterAlone>();
  for (const on of onCalls) {
    const perSecond = Math.max(1, Math.round(on.checksPerSec * on.fraction));
    progress(`the audit writer alone: paced at ${int(perSecond)} records/s for ${PACED_SECONDS} s (audit on's rate under ${CALL_NAME[on.call]})`);
    const paced = await run(`paced-${on.call}`, { perSecond }, Math.max(1, Math.round(perSecond * PACED_SECONDS)));
    report(`paced (${CALL_NAME[on.call]})`, paced);
    pacedByCall.set(on.call, paced);
  }
  return { fastest, pacedByCall };
}

/** `inFlight` waiters, each offering its next record once the one before is on the device. */
async function closedLoop(writer: AuditWriter, records: number, inFlight: number, next: (n: number) => EncodedAuditRecord): Promise<void> {
  let offered = 0;
  const waiter = async (): Promise<void> => {
    while (offered < records) {
      const record = next(offered);
      offered += 1;
      await offer(writer, record);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, waiter));
}

/** Offers at `perSecond`, every tick the records come due, and resolves once all are on the device. */
async function paced(writer: AuditWriter, records: number, perSecond: number, next: (n: number) => EncodedAuditRecord): Promise<void> {
  const start = performance.now();
  let offered = 0;
  let lastDurable: Promise<void> = Promise.resolve();
  await everyTick(PACE_TICK_MS, () => {
    const due = Math.min(records, Math.floor(((performance.now() - start) / 1000) * perSecond));
    for (; offered < due; offered += 1) lastDurable = offer(writer, next(offered));
    return offered >= records;
  });
  await lastDurable; // group commits resolve in order: the last one covers every offer
}

function toAuditRecord(message: Message): EncodedAuditRecord {
  const value = typeof message.value === "string" ? Buffer.from(message.value) : message.value;
  if (value === null) throw new Error("an audit record without a value");
  return { key: message.key?.toString() ?? "", value };
}

/** Offers one record; resolves once it is on the device. Throws at once when the writer refuses it. */
function offer(writer: AuditWriter, record: EncodedAuditRecord): Promise<void> {
  const offered = writer.offer([record]);
  if (!offered.accepted) throw new Error(`the audit writer refused a record: ${offered.reason}`);
  return offered.durable;
}

async function waitForSent(writer: AuditWriter, records: number): Promise<void> {
  const deadline = performance.now() + SENT_TIMEOUT_MS;
  while (writer.stats().sent < records) {
    if (performance.now() > deadline) throw new Error(`the audit writer sent ${writer.stats().sent} of ${records} records within ${SENT_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, SENT_POLL_MS));
  }
}

/** The `### What the audit writer alone costs` part of the section, beside kafkajs alone and audit on's extra CPU. */
export function renderWriterAlone(
  { fastest, pacedByCall }: WriterAloneRuns,
  floor: KafkajsFloor,
  pairs: readonly { readonly off: CellSummary; readonly on: CellSummary }[],
): string {
  const pacedRows = pairs.flatMap(({ on }) => {
    const paced = pacedByCall.get(on.call);
    return paced === undefined ? [] : [[`the audit writer alone, paced at audit on's rate under ${CALL_NAME[on.call]}: ${int(paced.pacedRecordsPerSec ?? 0)} records/s`, paced]] as const;
  });
  return [
    "### What the audit writer alone costs per audit record (diagnostic)",
    "",
    "- After kafkajs alone, the benchmark's own process starts the product's audit writer (a fresh spool, the device flush on, its default batching) on a fresh topic " +
      `\`${fastest.topic}\` (and again on a fresh topic and spool for each paced run) and offers audit on's records, one per offer, until Kafka has them all. ` +
      `As fast as it goes: ${int(fastest.records)} records from ${int(fastest.inFlight ?? 0)} waiters (the stream cell's checks in flight), each offering again ` +
      "once its record is on the device. Paced: open loop at the rate audit on wrote audit records under each call (its checks/s × the deny fraction), the records " +
      "come due offered every millisecond. No gRPC, engine or load generator runs beside it.",
    "- A group commit, a Kafka request and a timer cost the same however few records they carry, so the writer's cost per record grows as its rate falls; the paced " +
      "runs are the ones to set beside the service. The event loop's thread is the one that answers in the service; the rest of the CPU is V8's garbage-collection " +
      "helpers and the thread pool (the spool's writes).",
    "",
    markdownTable(
      ["in the benchmark's process", "records/s", "CPU s / 100k records, all threads", "of it on the event loop's thread"],
      [
        ["kafkajs alone (batches of 500)", int(floor.recordsPerSec), dec(floor.cpuPer100k), dec(floor.mainThreadCpuPer100k)],
        ["the audit writer alone, as fast as it goes", int(fastest.recordsPerSec), dec(fastest.cpuPer100k), dec(fastest.mainThreadCpuPer100k)],
        ...pacedRows.map(([label, paced]) => [label, int(paced.recordsPerSec), dec(paced.cpuPer100k), dec(paced.mainThreadCpuPer100k)]),
      ],
    ),
    "",
    "- Per call: audit on's extra server CPU per audit record (as above), the paced writer's share of it, and the ceiling were the service's only extra work the " +
      "writer's at that rate: off ÷ (off + writer × records per check); a ceiling only where that thread is the limit (the stream, not unary, whose 64 calls in flight " +
      "wait for their answers). A negative rest means the service paid less for its trail than the writer alone at that rate: a service awake for its calls shares " +
      "the wake-ups the writer alone pays for by itself (the paced runs' 1 ms offering tick among them).",
    "",
    markdownTable(
      ["call", "extra CPU s / 100k audit records", "the audit writer alone at that rate", "the rest (encoding, holding answers, the trail's load on the service)", "ceiling with the writer's cost (on ÷ off checks/s)", "measured on ÷ off checks/s"],
      pairs.flatMap(({ off, on }) => {
        const paced = pacedByCall.get(on.call);
        if (paced === undefined) return [];
        const extra = (on.serverCpuPer100k - off.serverCpuPer100k) / on.fraction;
        return [
          [
            CALL_NAME[on.call],
            dec(extra),
            dec(paced.cpuPer100k),
            dec(extra - paced.cpuPer100k),
            dec(off.serverCpuPer100k / (off.serverCpuPer100k + paced.cpuPer100k * on.fraction), 3),
            dec(on.checksPerSec / off.checksPerSec, 3),
          ],
        ];
      }),
    ),
  ].join("\n");
}
