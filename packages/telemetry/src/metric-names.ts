/**
 * Every metric name flowzone exports, Prometheus style: `flowzone_` prefix, the unit in the name,
 * `_total` on counters. Labels stay low-cardinality (zone, mode, outcome, route, source): never a
 * producer, a sink or anything from a payload.
 */
export const METRIC_NAMES = {
  /** Decisions of the decision service, by outcome (allow/deny). */
  decisions: "flowzone_decisions_total",
  /** Decisions with a violation in a zone, by zone, the zone's strictest violated mode and outcome. */
  zoneDecisions: "flowzone_zone_decisions_total",
  /** Violations, one per violated rule, by zone and mode. */
  violations: "flowzone_violations_total",
  /** Decisions a zone would have denied were it enforcing (its violations all in logging mode). */
  wouldDeny: "flowzone_would_deny_total",
  /**
   * Calls the decision service refused for who their caller is, by reason (unauthenticated: no
   * valid credential; identity_mismatch: a claim of a producer the caller may not speak for) and
   * credential: never the identity or the producer.
   */
  callerRefusals: "flowzone_caller_refusals_total",
  /** Engine time of a sample of decisions. */
  decisionDuration: "flowzone_decision_duration_seconds",
  /** Violations whose audit record could not be kept, rule fails open: the decision stood. */
  auditFailOpen: "flowzone_audit_fail_open_total",
  /** Violations whose audit record could not be kept, rule fails closed: the write was denied. */
  auditFailClosed: "flowzone_audit_fail_closed_total",
  /** Audit records waiting in memory to be sent. */
  auditQueue: "flowzone_audit_queue_records",
  /** Audit records and bytes in the disk spool. */
  auditSpoolRecords: "flowzone_audit_spool_records",
  auditSpoolBytes: "flowzone_audit_spool_bytes",
  /** 1 while the disk spool can write, 0 while its writes fail. */
  auditSpoolWritable: "flowzone_audit_spool_writable",
  /** Audit records sent to Kafka. */
  auditSent: "flowzone_audit_sent_records_total",
  /** Audit records not kept (spool full or unwritable, or shut down), by zone. */
  auditDropped: "flowzone_audit_dropped_records_total",
  /** Audit records Kafka refused (too large, invalid), kept in the dead-letter file beside the spool. */
  auditSetAside: "flowzone_audit_set_aside_records_total",
  /** FlowReport records a decision point sent to flowzone.flows.v1, by source. */
  flowReportsSent: "flowzone_flow_reports_sent_total",
  /** Decisions not reported to the flows topic: their flow was beyond the per-window bound, by source. */
  flowReportOverBound: "flowzone_flow_report_over_bound_total",
  /** Failed sends of flow reports (counts kept for the next window), by source. */
  flowReportSendFailures: "flowzone_flow_report_send_failures_total",
  /** Records the enforcer handled, by outcome (forwarded/quarantined/malformed). */
  enforcerRecords: "flowzone_enforcer_records_total",
  /** Records behind the high watermark of the enforcer's consumer, by route. */
  enforcerLag: "flowzone_enforcer_consumer_lag_records",
  /** Open violation signatures per zone (the control plane's backlog). */
  backlogOpen: "flowzone_backlog_open_signatures",
  /** Violation signatures resolved per day over the drain forecast's window, by zone. */
  backlogResolvedPerDay: "flowzone_backlog_resolved_per_day",
  /** When a draining zone's backlog reaches zero at its current pace (Unix seconds), by zone. */
  backlogProjectedDrain: "flowzone_backlog_projected_drain_timestamp_seconds",
  /** Violations the backlog did not store, by zone: their signatures were new and the zone held its limit of open ones. */
  backlogNotStored: "flowzone_backlog_violations_not_stored_total",
  /** Audit partitions read again from their start: the stored offsets belonged to another incarnation of the topic. */
  backlogOffsetResets: "flowzone_backlog_offset_resets_total",
  /** Records of the flows topic the flow inventory skipped, by topic: not a FlowReport, or one that contradicts itself. */
  flowReportsSkipped: "flowzone_flow_reports_skipped_total",
  /** Flows-topic partitions read again from their start: the stored offsets belonged to another incarnation of the topic. */
  flowOffsetResets: "flowzone_flow_offset_resets_total",
  /** Outbox records of the control plane Kafka refused (too large, invalid): set aside in the outbox table, never published. */
  outboxSetAside: "flowzone_outbox_set_aside_records_total",
  /** Control records a follower did not apply because their signature did not verify, by source and reason. */
  controlRecordsRejected: "flowzone_control_records_rejected_total",
  /** 1 while a control-plane replica leads its store (outbox publisher, consumers, ticks), else 0, by replica. */
  controlLeader: "flowzone_control_leader",
  /** Control plane requests. */
  controlHttpRequests: "flowzone_control_http_requests_total",
  controlGrpcRequests: "flowzone_control_grpc_requests_total",
} as const;
