import { rm } from "node:fs/promises";

import { create, fromBinary } from "@bufbuild/protobuf";
import { ControlError, decodeControlRecord, startControlPlane, type ControlChange, type Database, type RunningControlPlane } from "@flowzone/control";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import type { Telemetry } from "@flowzone/telemetry";
import type { Kafka } from "kafkajs";

import { openTestDatabase } from "../support/database";
import { testKafka } from "../support/kafka";
import { collectingLogger, type LogLine } from "../support/logger";
import { readToEnd } from "../support/topic-tail";
import { createTopics } from "../support/topics";
import { bundleDir, controlTopicNames, ManualClock } from "./control-support";

/** A control plane on its own schema, topics and policy directory, with a hand-moved clock. */
export interface Harness {
  readonly kafka: Kafka;
  readonly db: Database;
  readonly clock: ManualClock;
  readonly auditTopic: string;
  readonly controlTopic: string;
  /** The flows topic the inventory reads (created by the control plane, compacted). */
  readonly flowsTopic: string;
  /** What the control plane logged, every start. */
  readonly lines: LogLine[];
  running: RunningControlPlane;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /** The broker to use; default the shared test broker. A fault test passes a client of its own broker. */
  readonly kafka?: Kafka;
  /** The control plane's bound on a zone's open signatures; default its own. */
  readonly maxOpenSignaturesPerZone?: number;
  /** A metrics registry to read the backlog's counters from. */
  readonly telemetry?: Telemetry;
  /** Creates the control topic beforehand with this `max.message.bytes`; default: the control plane creates it with the broker's. */
  readonly controlTopicMaxMessageBytes?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const kafka = options.kafka ?? testKafka("control-core-test");
  const { db, drop } = await openTestDatabase();
  const policyDir = await bundleDir();
  const clock = new ManualClock();
  const { auditTopic, controlTopic, flowsTopic, groupId } = controlTopicNames();
  const { logger, lines } = collectingLogger();
  if (options.controlTopicMaxMessageBytes !== undefined) {
    await createTopics(kafka, [controlTopic], { config: { "cleanup.policy": "compact", "max.message.bytes": String(options.controlTopicMaxMessageBytes) } });
  }
  const start = (): Promise<RunningControlPlane> =>
    startControlPlane({
      database: db,
      kafka,
      policyDir,
      logger,
      clock,
      tickMs: 3_600_000,
      auditTopic,
      controlTopic,
      flowsTopic,
      groupId,
      auditPartitions: 1,
      maxOpenSignaturesPerZone: options.maxOpenSignaturesPerZone,
      telemetry: options.telemetry,
    });
  const harness: Harness = {
    kafka,
    db,
    clock,
    auditTopic,
    controlTopic,
    flowsTopic,
    lines,
    running: await start(),
    async restart() {
      await harness.running.close();
      harness.running = await start();
    },
    async stop() {
      await harness.running.close();
      await drop();
      await rm(policyDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The audit topic decoded, every partition read to the end offsets it has now. */
export async function auditRecords(harness: Harness): Promise<AuditRecord[]> {
  const messages = await readToEnd(harness.kafka, harness.auditTopic);
  return messages.map((m) => (m.value === null ? create(AuditRecordSchema) : fromBinary(AuditRecordSchema, m.value)));
}

/**
 * The control topic, read to the end offsets it has now, folded the way compaction does: the
 * latest record per key (null after a tombstone). A key's records share a partition, read in order.
 */
export async function controlState(harness: Harness): Promise<Map<string, ControlChange | null>> {
  const state = new Map<string, ControlChange | null>();
  for (const message of await readToEnd(harness.kafka, harness.controlTopic)) {
    const key = message.key?.toString("utf8") ?? "";
    state.set(key, message.value === null ? null : decodeControlRecord(key, message.value));
  }
  return state;
}

/** The ControlError a promise rejects with. */
export async function controlError(promise: Promise<unknown>): Promise<ControlError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ControlError) return error;
    throw error;
  }
  throw new Error("expected a ControlError");
}
