export { DECISION_SERVICE_SETTINGS, decisionServiceConfig } from "./config";
export { DEFAULTS } from "./defaults";
export type { AuditHealth, ControlTopicHealth, DecisionServiceHealth } from "./health-report";
export type { Limits } from "./limits";
export type { DecisionServiceOptions, RunningDecisionService } from "./options";
export { PolicyLoadError } from "@flowzone/policy-runtime";
export { startDecisionService } from "./start-decision-service";
export { localCheckBatch } from "./batch-path";
