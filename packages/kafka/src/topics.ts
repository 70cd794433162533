import { DEFAULT_AUDIT_RETENTION_MS } from "./audit-retention-setting";
import type { TopicSpec } from "./ensure-topics";

/** One protobuf `flowzone.v1.AuditRecord` per event, keyed by zone (docs/reference/kafka.md). */
export const AUDIT_TOPIC = "flowzone.audit.v1";

/** Compacted: the current bundle, zone modes and exceptions, keyed per item. */
export const CONTROL_TOPIC = "flowzone.control.v1";

/**
 * Compacted: one record per quarantined record a re-drive forwarded, keyed
 * `<quarantine topic>/<partition>/<offset>`, written in the re-drive's transactions, so the next
 * re-drive of the route knows what was already forwarded (docs/reference/kafka.md).
 */
export const REDRIVE_LEDGER_TOPIC = "flowzone.redrive.v1";

/**
 * Partitions of the audit topic when flowzone creates it. Keyed by zone, so one zone's records
 * stay in order on one partition; a few partitions let the backlog consumer scale a little.
 */
export const AUDIT_TOPIC_PARTITIONS = 6;

/**
 * The audit topic as every writer creates it, so whoever starts first makes the same topic; its
 * retention is the `--audit-retention-ms` setting (AUDIT_RETENTION_SETTING), kept forever by default.
 */
export function auditTopicSpec(topic: string = AUDIT_TOPIC, retentionMs: number = DEFAULT_AUDIT_RETENTION_MS): TopicSpec {
  return { topic, partitions: AUDIT_TOPIC_PARTITIONS, retentionMs };
}

/**
 * Compacted, keyed by a flow's signature: what each decision point reports, every few seconds,
 * of the distinct flows (producer, sink, labels, sources, purpose) it decided (docs/reference/kafka.md).
 */
export const FLOWS_TOPIC = "flowzone.flows.v1";

/**
 * Partitions of the flows topic when flowzone creates it. Compaction keeps one record per
 * signature, so the topic stays as small as the set of flows; a few partitions let the control
 * plane's inventory consumer scale like its backlog consumer.
 */
export const FLOWS_TOPIC_PARTITIONS = 6;

/** The flows topic as every decision point creates it (compacted), so whoever starts first makes the same topic. */
export function flowsTopicSpec(topic: string = FLOWS_TOPIC): TopicSpec {
  return { topic, partitions: FLOWS_TOPIC_PARTITIONS, compacted: true };
}
