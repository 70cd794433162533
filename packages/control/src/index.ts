export { ControlError, type ControlErrorCode, type ControlErrorDetails } from "./control-error";
export type {
  Actor,
  AuditRecordView,
  BacklogDay,
  ControlPlane,
  DecisionPointList,
  DecisionPointView,
  ExceptionRequest,
  ExceptionView,
  FlipRequest,
  FlipView,
  FlippedZone,
  FlowCount,
  FlowList,
  FlowListQuery,
  FlowView,
  Readiness,
  Resolution,
  SignatureStatus,
  ViolationQuery,
  ViolationView,
  WhatIfCandidate,
  WhatIfRequest,
  WhatIfView,
  ZoneDetail,
  ZoneHistory,
  ZoneView,
} from "./control-plane";
export type { AuditKind, EnforcementPointName } from "./convert-audit-entry";
export { AUDIT_WINDOW_PER_ZONE } from "./audit-window-store";
export type { WhatIfEntry, WhatIfFlow, WhatIfInvalid, WhatIfOutcome } from "./what-if";
export { FLIP_GUARD_WINDOW_MS, flowsSeenInGuardWindow } from "./policy-what-if";
export type { Database, Queryable, Row } from "./database";
export { DATABASE_DEFAULTS, openDatabase, type OpenDatabaseOptions } from "./open-database";
export { applyMigrations } from "./migrate";
export { MIGRATIONS, type Migration } from "./migrations";
export { systemClock, type Clock } from "./clock";
export { signatureId, normaliseLabels, type SignatureKey } from "./signature";
export { DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE } from "./signature-limit";
export { computeReadiness, type ReadinessInput, type ZoneReadiness } from "./readiness";
export { DRAIN_WINDOW_DAYS, forecastDrain, type DrainForecast, type DrainInput, type DrainState } from "./drain-forecast";
export { formatDuration } from "./format-duration";
export { startBacklogConsumer, type BacklogConsumer, type BacklogConsumerOptions } from "./backlog-consumer";
export { refreshPlannerStatistics } from "./planner-statistics";
export { applyBacklogBatch, DECISION_BUCKET_MS, RECORD_ID_RETENTION_MS, type BatchOutcome, type ConsumedBatch, type ConsumedRecord } from "./backlog-store";
export { decodeAuditRecord, encodeControlAudit, type AuditFact, type ControlAuditEvent, type DecodedAudit } from "./convert-audit";
export { controlKey, decodeControlRecord, encodeControlChange, type ControlChange, type ControlItem } from "./convert-control";
export { ControlPlaneService, MAX_FLIP_LIMIT, MAX_FLOW_LIMIT, MAX_HISTORY_DAYS, MAX_VIOLATION_LIMIT, type ControlPlaneServiceOptions } from "./control-plane-service";
export { startControlPlane, type RunningControlPlane, type StartControlPlaneOptions } from "./start-control-plane";
export { defaultReplicaId } from "./replica-id";
export { applyFlowBatch, DEFAULT_FLOW_RETENTION_MS, listFlows, pruneFlows, type ConsumedFlowReport, type FlowBatch, type FlowBatchOutcome, type FlowQuery, type InventoriedFlow } from "./flow-store";
export { decodeFlowReport, flowReportId, type FlowReportFact } from "./convert-flows";
