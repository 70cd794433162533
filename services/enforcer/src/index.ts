// Public surface of @flowzone/enforcer: named exports only.
export { ENFORCER_SETTINGS, enforcerConfig, readRoutesFile } from "./config";
export type { EnforcerConfig } from "./config";
export { startEnforcerService } from "./start-enforcer-service";
export type { EnforcerServiceOptions, RunningEnforcerService } from "./start-enforcer-service";
export { startEnforcer } from "./enforcer";
export { EnforcerError } from "./enforcer-error";
export { ENFORCER_HEADERS } from "./enforcer-headers";
export { ENFORCER_DEFAULTS } from "./options";
export type { DeliveryGuarantee, EnforcerOptions, EnforcerStats, RunningEnforcer } from "./options";
export type { PolicyHolder } from "@flowzone/policy-runtime";
export { routeRecord } from "./record-flow";
export type { InputRecord, RoutedRecord } from "./record-flow";
export { DEFAULT_PRODUCER, consumerGroupOf } from "./route";
export type { Route } from "./route";
export { parseRoutes } from "./routes";
export type { RoutesFile, RoutesResult } from "./routes";
