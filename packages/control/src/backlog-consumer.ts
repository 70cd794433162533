import type { Logger } from "@flowzone/logging";
import { AUDIT_TOPIC } from "@flowzone/kafka";
import { METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";

import { applyBacklogBatch, type ConsumedRecord } from "./backlog-store";
import { storedOffsets } from "./consumed-offsets";
import { DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE } from "./signature-limit";
import type { Clock } from "./clock";
import { decodeAuditRecord } from "./convert-audit";
import type { Database } from "./database";

/** Options for {@link startBacklogConsumer}. */
export interface BacklogConsumerOptions {
  readonly kafka: Kafka;
  readonly database: Database;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Default `flowzone.audit.v1`. */
  readonly topic?: string;
  /** Default `flowzone-control`. Only spreads partitions; the offsets that count live in PostgreSQL. */
  readonly groupId?: string;
  /** Most open signatures a zone holds; a new one beyond it is counted, not stored. Default 100,000. */
  readonly maxOpenSignaturesPerZone?: number | undefined;
  /** Where `flowzone_backlog_offset_resets_total` and `flowzone_backlog_violations_not_stored_total` are counted; none when absent. */
  readonly telemetry?: Telemetry | undefined;
  /** Called when the consumer stopped for good (kafkajs will not restart it): the backlog no longer counts. */
  readonly onFatal?: ((error: unknown) => void) | undefined;
}

/** A running backlog consumer. */
export interface BacklogConsumer {
  /** Stops after the batch in hand is stored. */
  close(): Promise<void>;
}

/**
 * Aggregates the audit topic into the backlog, exactly once. Kafka's committed offsets are never
 * used: on every assignment the consumer seeks to the offsets stored in PostgreSQL with the
 * counters, and the store skips anything below them, so a crash between the database commit and
 * anything else can neither lose nor double a record. A record that cannot be decoded is logged
 * with its position and skipped (its offset is stored), so one bad record never wedges the backlog.
 * When the stored offsets belong to another incarnation of the topic (a new broker under an old
 * database, a recreated topic), that is logged as one error line and counted, and the partition
 * is read again from its start; record ids keep anything from counting twice.
 */
export async function startBacklogConsumer(options: BacklogConsumerOptions): Promise<BacklogConsumer> {
  const topic = options.topic ?? AUDIT_TOPIC;
  const log = options.logger.child({ component: "backlog-consumer" });
  const resets = options.telemetry?.meter.createCounter(METRIC_NAMES.backlogOffsetResets, {
    description: "Audit partitions read again from their start because the stored offsets belonged to another incarnation of the topic.",
  });
  const notStored = options.telemetry?.meter.createCounter(METRIC_NAMES.backlogNotStored, {
    description: "Violations not stored, by zone: their signatures were new and the zone held its limit of open signatures.",
  });
  const maxOpen = options.maxOpenSignaturesPerZone ?? DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE;
  if (!Number.isSafeInteger(maxOpen) || maxOpen < 1) throw new Error(`maxOpenSignaturesPerZone must be a whole number of at least 1, got ${maxOpen}`);
  const fullLogged = new Set<string>();
  const clusterId = await describeClusterId(options.kafka);
  const resetLogged = new Set<string>();
  const consumer = options.kafka.consumer({ groupId: options.groupId ?? "flowzone-control", allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) {
        log.warn({ err: event.payload.error }, "backlog consumer crashed; kafkajs restarts it");
        return;
      }
      log.error({ err: event.payload.error }, "backlog consumer stopped for good: violations are no longer counted");
      options.onFatal?.(event.payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[topic] ?? [];
      void seekToStored(consumer, options.kafka, options.database, topic, partitions).catch((error: unknown) => {
        log.warn({ err: error }, "cannot seek to the stored offsets; stored offsets still guard against double counting");
      });
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!payload.isRunning() || payload.isStale()) return;
        const records = batch.messages.map((message) => decode(message, batch.topic, batch.partition, log));
        const { added, reset, notStored: refused } = await applyBacklogBatch(
          options.database,
          { topic: batch.topic, partition: batch.partition, clusterId, highWatermark: batch.highWatermark, records },
          options.clock.now(),
          maxOpen,
        );
        for (const [zone, violations] of refused) {
          notStored?.add(violations, { zone });
          // One warning per zone and process; the counter and the zone's status carry the rest.
          if (!fullLogged.has(zone)) log.warn({ zone, violations, maxOpenSignaturesPerZone: maxOpen }, `zone ${zone} holds its limit of ${maxOpen} open violation signatures: violations of new signatures are counted, not stored`);
          fullLogged.add(zone);
        }
        if (reset !== undefined) {
          // One error line for the topic (the first partition found); its other partitions at info.
          const first = !resetLogged.has(batch.topic);
          resetLogged.add(batch.topic);
          log[first ? "error" : "info"](
            { topic: batch.topic, partition: batch.partition, reason: reset },
            `stored offsets of ${batch.topic}/${batch.partition} belong to another incarnation of the topic (${reset}): reading it again from its start`,
          );
          resets?.add(1, { topic: batch.topic });
          // Below the log start offset the fetch is out of range and restarts at the earliest record.
          consumer.seek({ topic: batch.topic, partition: batch.partition, offset: "0" });
          return;
        }
        log.debug({ topic: batch.topic, partition: batch.partition, added, lastOffset: batch.lastOffset() }, "backlog batch stored");
        payload.resolveOffset(batch.lastOffset());
        await payload.heartbeat();
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  log.info({ topic }, "backlog consumer started; offsets come from PostgreSQL");
  return { close: () => consumer.disconnect() };
}

/** The id of the cluster `kafka` points at: stored with the offsets, it tells one incarnation of a topic from the next. */
async function describeClusterId(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Seeks each partition to the record before its stored offset: that record is skipped as already
 * counted, and its id proves the partition is still the incarnation the offsets were counted on.
 * A stored offset outside the partition as it is now (a new broker, a recreated topic, retention)
 * seeks to the partition's start instead: a fetch out of range would make kafkajs back off for
 * seconds before it resets, and the first batch tells the incarnation apart anyway.
 */
async function seekToStored(consumer: Consumer, kafka: Kafka, db: Database, topic: string, partitions: readonly number[]): Promise<void> {
  const offsets = await storedOffsets(db, topic);
  if (!partitions.some((partition) => offsets.has(partition))) return;
  const admin = kafka.admin();
  await admin.connect();
  let bounds: Map<number, { low: number; high: number }>;
  try {
    bounds = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, { low: Number(p.low), high: Number(p.high) }]));
  } finally {
    await admin.disconnect();
  }
  for (const partition of partitions) {
    const next = offsets.get(partition);
    const bound = bounds.get(partition);
    if (next === undefined || bound === undefined) continue;
    const target = next - 1 >= bound.low && next - 1 < bound.high ? next - 1 : bound.low;
    consumer.seek({ topic, partition, offset: String(target) });
  }
}

function decode(message: KafkaMessage, topic: string, partition: number, log: Logger): ConsumedRecord {
  const { offset } = message;
  if (message.value === null) {
    log.warn({ topic, partition, offset }, "audit record without a value skipped (its offset is stored)");
    return { offset, id: "", fact: null };
  }
  try {
    return { offset, ...decodeAuditRecord(message.value, Number(message.timestamp)) };
  } catch (error) {
    log.error(
      { topic, partition, offset, err: error instanceof Error ? error.message : String(error) },
      `audit record at ${topic}/${partition}@${offset} cannot be decoded: skipped (its offset is stored)`,
    );
    return { offset, id: "", fact: null };
  }
}
