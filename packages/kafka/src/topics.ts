import type { TopicSpec } from "./ensure-topics";

/** One protobuf `flowzone.v1.AuditRecord` per event, keyed by zone (docs/reference/kafka.md). */
export const AUDIT_TOPIC = "flowzone.audit.v1";

/** Compacted: the current bundle, zone modes and exceptions, keyed per item. */
export const CONTROL_TOPIC = "flowzone.control.v1";

/**
 * Partitions of the audit topic when flowzone creates it. Keyed by zone, so one zone's records
 * stay in order on one partition; a few partitions let the backlog consumer scale a little.
 */
export const AUDIT_TOPIC_PARTITIONS = 6;

/** The audit topic as every writer creates it, so whoever starts first makes the same topic. */
export function auditTopicSpec(topic: string = AUDIT_TOPIC): TopicSpec {
  return { topic, partitions: AUDIT_TOPIC_PARTITIONS };
}
