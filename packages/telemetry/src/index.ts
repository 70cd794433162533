// Public surface of @flowzone/telemetry: named exports only.
export { observeAuditTrail } from "./audit-metrics";
export { observeControlRejections } from "./control-rejection-metrics";
export type { AuditStatsShape } from "./audit-metrics";
export { BACKLOG_REFRESH_MS, BacklogGauge, observeBacklog } from "./backlog-metrics";
export type { BacklogMetricsOptions, ReadBacklog, ZoneBacklog } from "./backlog-metrics";
export { DECISION_DURATION_BUCKETS_S, DECISION_TIMING_SAMPLE, DecisionMetrics } from "./decision-metrics";
export type { AuthenticatingCredential, DecisionShape, PresentedCredential } from "./decision-metrics";
export { observeFlowReports } from "./flow-report-metrics";
export type { FlowReportStatsShape } from "./flow-report-metrics";
export { EnforcerMetrics } from "./enforcer-metrics";
export type { RecordOutcome } from "./enforcer-metrics";
export { METRIC_NAMES } from "./metric-names";
export { healthProbes, type HealthReport } from "./health-probes";
export { DEFAULT_METRICS_PORT, serveMetrics, serveMetricsIfPossible } from "./metrics-server";
export { MetricsToken } from "./metrics-token";
export type { MetricsServer, MetricsServerOptions, ProbeAnswer } from "./metrics-server";
export { PROMETHEUS_CONTENT_TYPE, Telemetry, createTelemetry } from "./telemetry";
export type { TelemetryOptions } from "./telemetry";
