import { readBundleDir } from "@flowzone/bundle-source";
import { AUDIT_TOPIC, CONTROL_TOPIC, FLOWS_TOPIC, auditTopicSpec, ensureTopics, flowsTopicSpec, type ControlSigningKey } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import type { Telemetry } from "@flowzone/telemetry";
import type { Kafka } from "kafkajs";

import { systemClock, type Clock } from "./clock";
import type { ControlPlane } from "./control-plane";
import { ControlPlaneService } from "./control-plane-service";
import { runTick } from "./control-ticks";
import { readControlTopicLimit } from "./control-topic-limit";
import type { Database } from "./database";
import { DEFAULT_FLOW_RETENTION_MS } from "./flow-store";
import { controlLeaderDuties } from "./leader-duties";
import { observeLeadership } from "./leader-metric";
import { Leadership } from "./leadership";
import { OutboxPublisher } from "./outbox-publisher";
import { refreshPlannerStatistics } from "./planner-statistics";
import { createKafkaRecordSender } from "./record-sender";
import { defaultReplicaId } from "./replica-id";

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
  /** The audit topic's `retention.ms` if this process creates it; default -1, kept forever (`FLOWZONE_AUDIT_RETENTION_MS`). */
  readonly auditRetentionMs?: number | undefined;
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
  /** This replica's name in logs, health and the leader metric; default `<hostname>-<pid>`. */
  readonly replicaId?: string | undefined;
  /** How often a follower tries to take the leadership and the leader checks it still holds it; default 1000 ms. */
  readonly leaderPollMs?: number | undefined;
}

/** A running control plane. */
export interface RunningControlPlane {
  readonly controlPlane: ControlPlane;
  /** The service itself, for ticks in tests and for operations beyond the facade. */
  readonly service: ControlPlaneService;
  /** Runs one tick now (expiry, autoEnforce, pruning, PGlite's planner statistics), leader or not. */
  tick(): Promise<void>;
  /** This replica's name. */
  readonly replicaId: string;
  /** Whether this replica leads now: runs the outbox publisher, the consumers and the ticks. */
  isLeader(): boolean;
  close(): Promise<void>;
}

const DEFAULT_TICK_MS = 5000;
const DEFAULT_LEADER_POLL_MS = 1000;

/**
 * Wires one replica of the control plane: topics, the outbox, the seeded bundle and the service
 * every replica serves reads and writes from; then the leadership of the store (leadership.ts),
 * whose holder alone runs the duties that must happen once ({@link controlLeaderDuties}). With
 * PGlite, or the only replica of a server, this process leads before the promise resolves.
 */
export async function startControlPlane(options: StartControlPlaneOptions): Promise<RunningControlPlane> {
  const clock = options.clock ?? systemClock;
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  if (!Number.isFinite(tickMs) || tickMs < 10) throw new Error(`tickMs must be at least 10, got ${tickMs}`);
  const leaderPollMs = options.leaderPollMs ?? DEFAULT_LEADER_POLL_MS;
  if (!Number.isFinite(leaderPollMs) || leaderPollMs < 10) throw new Error(`leaderPollMs must be at least 10, got ${leaderPollMs}`);
  const auditTopic = options.auditTopic ?? AUDIT_TOPIC;
  const controlTopic = options.controlTopic ?? CONTROL_TOPIC;
  const flowsTopic = options.flowsTopic ?? FLOWS_TOPIC;
  const flowRetentionMs = options.flowRetentionMs ?? DEFAULT_FLOW_RETENTION_MS;
  if (!Number.isFinite(flowRetentionMs) || flowRetentionMs < 1) throw new Error(`flowRetentionMs must be positive, got ${flowRetentionMs}`);
  const log = options.logger.child({ component: "control-plane" });
  await ensureTopics(options.kafka, [
    { ...auditTopicSpec(auditTopic, options.auditRetentionMs), ...(options.auditPartitions === undefined ? {} : { partitions: options.auditPartitions }) },
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
    const controlTopicMaxBytes = await readControlTopicLimit(options.kafka, controlTopic, log);
    const service = new ControlPlaneService({ database: options.database, outbox, logger: options.logger, clock, controlTopicMaxBytes });
    const files = options.policyDir === undefined ? undefined : await readBundleDir(options.policyDir);
    await service.seed(files, options.policyDir ?? "(no policy directory)");
    const tick = async (): Promise<void> => {
      await runTick(service, options.database, clock, await service.longestQuietPeriodMs(), flowRetentionMs);
      await refreshPlannerStatistics(options.database, log);
    };
    const groupId = options.groupId ?? "flowzone-control";
    const consumerOptions = { kafka: options.kafka, database: options.database, logger: options.logger, clock, telemetry: options.telemetry, onFatal: options.onFatal };
    const duties = controlLeaderDuties({
      kafka: options.kafka,
      controlTopic,
      outbox,
      service,
      backlog: { ...consumerOptions, topic: auditTopic, groupId, maxOpenSignaturesPerZone: options.maxOpenSignaturesPerZone },
      flows: { ...consumerOptions, topic: flowsTopic, groupId: `${groupId}-flows` },
      tick,
      tickMs,
      logger: options.logger,
    });
    const replicaId = options.replicaId ?? defaultReplicaId();
    const leadership = new Leadership({ lock: options.database.leaderLock(), duties, replicaId, pollMs: leaderPollMs, logger: options.logger });
    closers.push(() => leadership.stop());
    await leadership.start();
    if (options.telemetry !== undefined) closers.push(observeLeadership(options.telemetry, replicaId, () => leadership.isLeader));
    return { controlPlane: service, service, tick, replicaId, isLeader: () => leadership.isLeader, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
