import type { Kafka } from "kafkajs";

import type { Logger } from "@flowzone/logging";
import type { ServerTlsFiles } from "@flowzone/service-kit";
import type { Telemetry } from "@flowzone/telemetry";

import type { ControlTopicStatus, PolicyHolder } from "@flowzone/policy-runtime";

import type { EnforcerHealth } from "./enforcer-health";
import type { Route } from "./route";

/** Every default of the enforcer, in one place. */
export const ENFORCER_DEFAULTS = {
  reloadIntervalMs: 1000,
  /** How long a dead enforcer keeps its partitions before the group hands them on. */
  sessionTimeoutMs: 30_000,
  transactionTimeoutMs: 60_000,
  /** Partitions of one route processed at the same time by one process. */
  partitionsConcurrently: 4,
  /** A new route reads its topic from the start: records already there are checked, not skipped. */
  fromBeginning: true,
  transactionalIdPrefix: "flowzone-enforcer",
  deliveryGuarantee: "exactly-once",
  /**
   * Input bytes (values, keys and 256 bytes of slack per record) per chunk, one produce request
   * of a fetched batch's transaction. Besides, a chunk's written bytes per target topic (records with their headers, audit records) stay under
   * that topic's `max.message.bytes` (read at start): kafkajs sends a partition's records as one
   * record batch and never splits it, and the broker refuses a larger one.
   */
  chunkMaxBytes: 256 * 1024,
  chunkMaxRecords: 2000,
} as const;

/**
 * How outputs relate to consumed offsets. `exactly-once`: outputs, quarantined records, audit
 * records and the offset commit of a fetched batch in one transaction (read_committed readers see
 * each record once). `at-least-once`: a non-transactional idempotent producer; a batch's offset is
 * committed only after the broker acknowledged all its records, so a crash may repeat, never lose.
 */
export type DeliveryGuarantee = "exactly-once" | "at-least-once";

/** What {@link startEnforcer} needs. Exactly one of `policyDir` and `policy` is given. */
export interface EnforcerOptions {
  readonly kafka: Kafka;
  readonly routes: readonly Route[];
  /** Bundle directory: read at start and followed (a broken edit keeps the old engine). */
  readonly policyDir?: string;
  /** Or an engine holder the caller keeps current (the `flowzone dev` process shares one). */
  readonly policy?: PolicyHolder;
  /** Where the holder's control topic stands, for readiness (`/readyz` waits until it was read once); unset, no control topic. */
  readonly controlTopic?: () => ControlTopicStatus;
  readonly logger: Logger;
  /** Audit topic; default `flowzone.audit.v1` (tests use their own). */
  readonly auditTopic?: string;
  /** The audit topic's `retention.ms` if this process creates it; default -1, kept forever (`FLOWZONE_AUDIT_RETENTION_MS`). */
  readonly auditRetentionMs?: number;
  /** Flows topic; default `flowzone.flows.v1` (tests use their own). */
  readonly flowsTopic?: string;
  /** How often the flows of the records routed are reported (default 5000 ms); 0 turns flow reporting off. */
  readonly flowReportIntervalMs?: number;
  readonly reloadIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly transactionTimeoutMs?: number;
  readonly partitionsConcurrently?: number;
  readonly fromBeginning?: boolean;
  /** Prefix of the transactional ids; two deployments on one cluster must differ. */
  readonly transactionalIdPrefix?: string;
  /** Default `exactly-once`; see {@link DeliveryGuarantee}. */
  readonly deliveryGuarantee?: DeliveryGuarantee;
  /** Called when a route's consumer stopped for good (kafkajs will not restart it); `startEnforcerService` then fails. */
  readonly onFatal?: (error: unknown) => void;
  /** The process's metrics registry (`flowzone dev` shares one); default: the enforcer's own. */
  readonly telemetry?: Telemetry;
  /** With a port (0 picks a free one) the enforcer serves its registry on `GET /metrics`; without, none. */
  readonly metricsPort?: number;
  /** Host of that `/metrics` listener; default 127.0.0.1. */
  readonly metricsHost?: string;
  /** The bearer token that `/metrics` then requires (`FLOWZONE_METRICS_TOKEN_FILE`). */
  readonly metricsToken?: string;
  /** `FLOWZONE_TLS_CERT` / `KEY`: given, `/metrics` serves HTTPS, its certificate re-read when the files change. */
  readonly metricsTls?: ServerTlsFiles;
}

/** Counters of a running enforcer, summed over its routes. */
export interface EnforcerStats {
  records: number;
  forwarded: number;
  quarantined: number;
  audits: number;
  /** Transactions (at least once: offset commits) committed, one per fetched batch, whose records went chunk by chunk in produce requests that fit the topics. */
  batches: number;
  /** Transactions aborted: a failed batch, or a send Kafka refused for its records (then split). */
  abortedBatches: number;
  /** Records not written as decided because they were too large (or refused by Kafka): quarantined with `flowzone-error`, in part, or not at all. */
  oversized: number;
}

/** A started enforcer. */
export interface RunningEnforcer {
  /** The policy version deciding records right now. */
  policyVersion(): string;
  stats(): EnforcerStats;
  /** What `/healthz` and `/readyz` answer: ready once every route's consumer joined its group and the control topic was read. */
  health(): EnforcerHealth;
  /** The bound metrics port, or undefined when the enforcer serves no `/metrics` of its own. */
  readonly metricsPort: number | undefined;
  /** Finishes the batches in flight, leaves the consumer groups and closes the producers. */
  close(): Promise<void>;
}
