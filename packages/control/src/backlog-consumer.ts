import type { Logger } from "@flowzone/logging";
import { AUDIT_TOPIC } from "@flowzone/kafka";
import { METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";
import type { Kafka, KafkaMessage } from "kafkajs";

import { applyBacklogBatch, type ConsumedRecord } from "./backlog-store";
import { DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE } from "./signature-limit";
import type { Clock } from "./clock";
import { decodeAuditRecord } from "./convert-audit";
import type { Database } from "./database";
import { startStoredOffsetConsumer, type StoredOffsetConsumer } from "./stored-offset-consumer";

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
export type BacklogConsumer = StoredOffsetConsumer;

/**
 * Aggregates the audit topic into the backlog, exactly once (see stored-offset-consumer.ts: the
 * offsets live in PostgreSQL with the counters). A record that cannot be decoded is logged with
 * its position and skipped (its offset is stored), so one bad record never wedges the backlog.
 * When the stored offsets belong to another incarnation of the topic, the partition is read again
 * from its start and record ids keep anything from counting twice.
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
  const consumer = await startStoredOffsetConsumer({
    kafka: options.kafka,
    database: options.database,
    log,
    topic,
    groupId: options.groupId ?? "flowzone-control",
    keeps: "violations are no longer counted",
    resets,
    onFatal: options.onFatal,
    store: async (messages, fetched) => {
      const records = messages.map((message) => decode(message, fetched.topic, fetched.partition, log));
      const { added, reset, notStored: refused } = await applyBacklogBatch(options.database, { ...fetched, records }, options.clock.now(), maxOpen);
      for (const [zone, violations] of refused) {
        notStored?.add(violations, { zone });
        // One warning per zone and process; the counter and the zone's status carry the rest.
        if (!fullLogged.has(zone)) log.warn({ zone, violations, maxOpenSignaturesPerZone: maxOpen }, `zone ${zone} holds its limit of ${maxOpen} open violation signatures: violations of new signatures are counted, not stored`);
        fullLogged.add(zone);
      }
      if (reset === undefined) log.debug({ topic: fetched.topic, partition: fetched.partition, added, lastOffset: fetched.lastOffset }, "backlog batch stored");
      return reset;
    },
  });
  log.info({ topic }, "backlog consumer started; offsets come from PostgreSQL");
  return consumer;
}

function decode(message: KafkaMessage, topic: string, partition: number, log: Logger): ConsumedRecord {
  const { offset } = message;
  if (message.value === null) {
    log.warn({ topic, partition, offset }, "audit record without a value skipped (its offset is stored)");
    return { offset, id: "", fact: null, entry: null };
  }
  try {
    return { offset, ...decodeAuditRecord(message.value, Number(message.timestamp)) };
  } catch (error) {
    log.error(
      { topic, partition, offset, err: error instanceof Error ? error.message : String(error) },
      `audit record at ${topic}/${partition}@${offset} cannot be decoded: skipped (its offset is stored)`,
    );
    return { offset, id: "", fact: null, entry: null };
  }
}
