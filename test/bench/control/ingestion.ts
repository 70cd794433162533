/**
 * Backlog ingestion from the audit topic: violation audit records, each a new signature of the
 * workload, encoded by the decision service's own encoder (encodeViolationAudit) and published
 * to the control plane's audit topic while its backlog consumer runs; timed from the first send
 * until the zone's kept count holds them all. Its reference, in the same run: a bare kafkajs
 * consumer reading the same topic, timed from joining its group to its last record.
 */
import { encodeViolationAudit } from "@flowzone/audit";
import type { Database } from "@flowzone/control";
import type { Kafka } from "kafkajs";

import { readTopicToEnd } from "../common/read-to-end";
import { flow, FILLED_ZONE } from "./backlog-flows";
import { int } from "./settings";

const SEND_BATCH = 1000;
const POLL_MS = 50;
const TIMEOUT_MS = 600_000;

export interface IngestionResult {
  readonly records: number;
  /** Publishing alone (the producer's share of the time below). */
  readonly publishMs: number;
  /** First send to the backlog holding every record's signature. */
  readonly ingestMs: number;
  /** User + system CPU of the benchmark's process over `ingestMs` (the control plane, the publisher and PGlite; not a PostgreSQL server's). */
  readonly cpuMs: number;
}

export interface ReadResult {
  readonly records: number;
  readonly readMs: number;
}

/** Violation records of signatures from .. from+count-1, keyed by zone as the writers key them. */
function* auditRecords(from: number, count: number, timeMs: number): Generator<{ key: string; value: Buffer }> {
  for (let i = from; i < from + count; i++) {
    const key = flow(i);
    yield encodeViolationAudit(
      {
        decisionId: `bench-control-${i}`,
        write: { producer: key.producer, sink: key.sink, labels: key.labels, sources: [], purpose: "" },
        violation: { zone: key.zone, rule: key.rule, mode: "logging", enforced: false, failMode: "open", labels: key.labels, reason: "bench:control" },
        enforcementPoint: "decision_service",
        policyVersion: "sha256:bench@0",
        traceId: "",
        timeMs,
      },
      0,
    );
  }
}

async function openCount(db: Database): Promise<number> {
  const rows = await db.query<{ open_signatures: number }>("SELECT open_signatures FROM zone_backlog WHERE zone = $1", [FILLED_ZONE]);
  return rows[0]?.open_signatures ?? 0;
}

/** Publishes `count` new signatures after the `from` already stored and waits until the backlog counts `from + count`. */
export async function measureIngestion(kafka: Kafka, db: Database, topic: string, from: number, count: number, progress: (line: string) => void): Promise<IngestionResult> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let publishMs: number;
  try {
    let batch: { key: string; value: Buffer }[] = [];
    for (const record of auditRecords(from, count, Date.now())) {
      batch.push(record);
      if (batch.length === SEND_BATCH) {
        await producer.send({ topic, acks: -1, messages: batch });
        batch = [];
      }
    }
    if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
    publishMs = performance.now() - started;
  } finally {
    await producer.disconnect();
  }
  progress(`published ${int(count)} violation audit records in ${(publishMs / 1000).toFixed(1)} s; waiting for the backlog`);
  const expected = from + count;
  for (;;) {
    const open = await openCount(db);
    if (open >= expected) break;
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`the backlog counted ${open} of ${expected} open signatures after ${TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const cpu = process.cpuUsage(cpu0);
  return { records: count, publishMs, ingestMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** The reference: the same topic read to its end by a bare kafkajs consumer, from joining its group to its last record. */
export async function measureBareRead(kafka: Kafka, topic: string): Promise<ReadResult> {
  let joined = NaN;
  let last = NaN;
  const records = await readTopicToEnd(
    kafka,
    topic,
    TIMEOUT_MS,
    () => {
      last = performance.now();
    },
    () => {
      joined = performance.now();
    },
  );
  return { records, readMs: last - joined };
}
