import type { Logger } from "@flowzone/logging";
import { FLOWS_TOPIC } from "@flowzone/kafka";
import { METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";
import type { Kafka, KafkaMessage } from "kafkajs";

import type { Clock } from "./clock";
import { decodeFlowReport, flowReportId } from "./convert-flows";
import type { Database } from "./database";
import { applyFlowBatch, type ConsumedFlowReport } from "./flow-store";
import { startStoredOffsetConsumer, type StoredOffsetConsumer } from "./stored-offset-consumer";

/** Options for {@link startFlowConsumer}. */
export interface FlowConsumerOptions {
  readonly kafka: Kafka;
  readonly database: Database;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Default `flowzone.flows.v1`. */
  readonly topic?: string | undefined;
  /** Default `flowzone-control-flows`. Only spreads partitions; the offsets that count live in PostgreSQL. */
  readonly groupId?: string | undefined;
  /** Where `flowzone_flow_reports_skipped_total` and `flowzone_flow_offset_resets_total` are counted; none when absent. */
  readonly telemetry?: Telemetry | undefined;
  /** Called when the consumer stopped for good (kafkajs will not restart it): the inventory no longer grows. */
  readonly onFatal?: ((error: unknown) => void) | undefined;
}

/**
 * Reads the flows topic into the flow inventory, exactly once (stored-offset-consumer.ts: the
 * offsets live in PostgreSQL with the counts). A record that is not a FlowReport, or one that
 * contradicts itself, is logged with its topic, partition, offset and reason, counted and
 * skipped (its offset is stored): a decision point writing garbage never stops the inventory.
 */
export async function startFlowConsumer(options: FlowConsumerOptions): Promise<StoredOffsetConsumer> {
  const topic = options.topic ?? FLOWS_TOPIC;
  const log = options.logger.child({ component: "flow-consumer" });
  const skipped = options.telemetry?.meter.createCounter(METRIC_NAMES.flowReportsSkipped, {
    description: "Records of the flows topic the inventory skipped: not a FlowReport, or inconsistent.",
  });
  const consumer = await startStoredOffsetConsumer({
    kafka: options.kafka,
    database: options.database,
    log,
    topic,
    groupId: options.groupId ?? "flowzone-control-flows",
    keeps: "flows are no longer inventoried",
    resets: options.telemetry?.meter.createCounter(METRIC_NAMES.flowOffsetResets, {
      description: "Flows-topic partitions read again from their start because the stored offsets belonged to another incarnation of the topic.",
    }),
    onFatal: options.onFatal,
    store: async (messages, fetched) => {
      const records = messages.map(decode);
      const { added, reset, refused } = await applyFlowBatch(options.database, { ...fetched, records }, options.clock.now());
      for (const record of refused) {
        const reason = record.report === null ? record.refusal : "";
        log.error({ topic: fetched.topic, partition: fetched.partition, offset: record.offset, reason }, `flow report at ${fetched.topic}/${fetched.partition}@${record.offset} skipped: ${reason}`);
        skipped?.add(1, { topic: fetched.topic });
      }
      if (reset === undefined) log.debug({ topic: fetched.topic, partition: fetched.partition, added, lastOffset: fetched.lastOffset }, "flow reports stored");
      return reset;
    },
  });
  log.info({ topic }, "flow consumer started; offsets come from PostgreSQL");
  return consumer;
}

function decode(message: KafkaMessage): ConsumedFlowReport {
  // A tombstone is how compaction forgets a flow; the inventory ages flows out on its own.
  if (message.value === null) return { offset: message.offset, id: "", report: null, refusal: "" };
  try {
    const report = decodeFlowReport(message.value, message.key?.toString() ?? null);
    return { offset: message.offset, id: flowReportId(report), report };
  } catch (error) {
    return { offset: message.offset, id: "", report: null, refusal: error instanceof Error ? error.message : String(error) };
  }
}
