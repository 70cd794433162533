import { readBundleDir } from "@flowzone/bundle-source";
import { AUDIT_TOPIC, CONTROL_TOPIC, FLOWS_TOPIC, auditTopicSpec, ensureTopics, flowsTopicSpec, type ControlSigningKey } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import type { Telemetry } from "@flowzone/telemetry";
import type { Kafka } from "kafkajs";

import { startBacklogConsumer } from "./backlog-consumer";
import { systemClock, type Clock } from "./clock";
import type { ControlPlane } from "./control-plane";
import { ControlPlaneService } from "./control-plane-service";
import { runTick, startTicks } from "./control-ticks";
import { liveControlKeys } from "./control-topic-keys";
import { readControlTopicLimit } from "./control-topic-limit";
import type { Database } from "./database";
import { startFlowConsumer } from "./flow-consumer";
import { DEFAULT_FLOW_RETENTION_MS } from "./flow-store";
import { OutboxPublisher } from "./outbox-publisher";
import { createKafkaRecordSender } from "./record-sender";

/** Options for {@link startControlPlane}; defaults are filled here and nowhere else. */
export interface StartControlPlaneOptions {
  /** An opened, migrated store ({@link openDatabase}). Not closed by `close()`: the caller owns it. */
  readonly database: Database;
  readonly kafka: Kafka;
  /** Bundle directory that seeds an empty store; the last pushed bundle wins otherwise. */
  readonly policyDir?: string | undefined;
  readonly logger: Logger;
  /** Default: the wall clock. */
  readonly clock?: Clock;
  /** How often exceptions expire and autoEnforce zones flip; default 5000 ms. */
  readonly tickMs?: number;
  /** Default `flowzone.audit.v1`. */
  readonly auditTopic?: string;
  /** Default `flowzone.control.v1`. */
  readonly controlTopic?: string;
  /** Default `flowzone.flows.v1` (compacted; created at start when missing). */
  readonly flowsTopic?: string | undefined;
  /** How long a flow unseen stays in the inventory (its count buckets too); default 30 days. */
  readonly flowRetentionMs?: number | undefined;
  /** Consumer group of the backlog; default `flowzone-control`. The flow consumer's is this with `-flows` appended. */
  readonly groupId?: string;
  /** Partitions of the audit topic when this process creates it; default AUDIT_TOPIC_PARTITIONS, as every writer. */
  readonly auditPartitions?: number;
  /** Most open violation signatures a zone holds; violations of new ones beyond it are counted, not stored. Default 100,000. */
  readonly maxOpenSignaturesPerZone?: number | undefined;
  /** The process's metrics registry; the backlog counts offset resets and violations not stored there, the outbox records set aside. */
  readonly telemetry?: Telemetry | undefined;
  /** Signs every control record published (`FLOWZONE_CONTROL_SIGNING_KEY`); undefined: published unsigned. */
  readonly signingKey?: ControlSigningKey | undefined;
  /** Called when the backlog or flow consumer stopped for good; the process should stop and exit non-zero. */
  readonly onFatal?: ((error: unknown) => void) | undefined;
}

/** A running control plane. */
export interface RunningControlPlane {
  readonly controlPlane: ControlPlane;
  /** The service itself, for ticks in tests and for operations beyond the facade. */
  readonly service: ControlPlaneService;
  /** Runs one tick now (expiry, autoEnforce, pruning). */
  tick(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_TICK_MS = 5000;

/**
 * Wires the control plane: topics, the outbox and its publisher (first sending what an earlier
 * process committed but did not publish), the seeded bundle, a republish of the current state
 * that also tombstones control keys the store does not know (so followers converge after any
 * restart), the backlog and flow consumers and the ticks.
 */
export async function startControlPlane(options: StartControlPlaneOptions): Promise<RunningControlPlane> {
  const clock = options.clock ?? systemClock;
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  if (!Number.isFinite(tickMs) || tickMs < 10) throw new Error(`tickMs must be at least 10, got ${tickMs}`);
  const auditTopic = options.auditTopic ?? AUDIT_TOPIC;
  const controlTopic = options.controlTopic ?? CONTROL_TOPIC;
  const flowsTopic = options.flowsTopic ?? FLOWS_TOPIC;
  const flowRetentionMs = options.flowRetentionMs ?? DEFAULT_FLOW_RETENTION_MS;
  if (!Number.isFinite(flowRetentionMs) || flowRetentionMs < 1) throw new Error(`flowRetentionMs must be positive, got ${flowRetentionMs}`);
  const log = options.logger.child({ component: "control-plane" });
  await ensureTopics(options.kafka, [
    { ...auditTopicSpec(auditTopic), ...(options.auditPartitions === undefined ? {} : { partitions: options.auditPartitions }) },
    { topic: controlTopic, compacted: true },
    flowsTopicSpec(flowsTopic),
  ]);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => {
        log.warn({ err: error }, "close failed");
      });
    }
  };
  try {
    const sender = await createKafkaRecordSender(options.kafka, { control: controlTopic, audit: auditTopic }, options.signingKey);
    if (options.signingKey === undefined) log.warn({ controlTopic }, "control records are published unsigned: set FLOWZONE_CONTROL_SIGNING_KEY so followers can tell them from forged ones");
    else log.info({ controlTopic, keyId: options.signingKey.keyId }, "signing control records");
    closers.push(() => sender.close());
    const outbox = new OutboxPublisher({ database: options.database, sender, logger: options.logger, clock, telemetry: options.telemetry });
    closers.push(() => outbox.stop());
    const leftover = await outbox.drain();
    if (leftover > 0) log.warn({ records: leftover }, "published records an earlier process had committed but not published");
    outbox.start();
    const controlTopicMaxBytes = await readControlTopicLimit(options.kafka, controlTopic, log);
    const service = new ControlPlaneService({ database: options.database, outbox, logger: options.logger, clock, controlTopicMaxBytes });
    const files = options.policyDir === undefined ? undefined : await readBundleDir(options.policyDir);
    await service.seed(files, options.policyDir ?? "(no policy directory)");
    const { epoch, tombstoned } = await service.republish(await liveControlKeys(options.kafka, controlTopic));
    log.info({ epoch, controlTopic, tombstoned }, "current state republished to the control topic");
    const backlog = await startBacklogConsumer({
      kafka: options.kafka,
      database: options.database,
      logger: options.logger,
      clock,
      topic: auditTopic,
      telemetry: options.telemetry,
      maxOpenSignaturesPerZone: options.maxOpenSignaturesPerZone,
      onFatal: options.onFatal,
      ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
    });
    closers.push(() => backlog.close());
    const flows = await startFlowConsumer({
      kafka: options.kafka,
      database: options.database,
      logger: options.logger,
      clock,
      topic: flowsTopic,
      groupId: `${options.groupId ?? "flowzone-control"}-flows`,
      telemetry: options.telemetry,
      onFatal: options.onFatal,
    });
    closers.push(() => flows.close());
    const tick = async (): Promise<void> => {
      await runTick(service, options.database, clock, await service.longestQuietPeriodMs(), flowRetentionMs);
    };
    const ticks = startTicks(tick, tickMs, options.logger);
    closers.push(() => ticks.stop());
    return { controlPlane: service, service, tick, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
