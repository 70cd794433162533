export { decisionServiceConfig } from "./config";
export type { DecisionServiceFlags } from "./config";
export { ConfigError } from "./config-error";
export { DEFAULTS } from "./defaults";
export type { Limits } from "./limits";
export type { DecisionServiceOptions, RunningDecisionService } from "./options";
export { PolicyLoadError } from "@flowzone/policy-runtime";
export { startDecisionService } from "./start-decision-service";
