// Public surface of @flowzone/control-service: named exports only.
export { startControlService } from "./start-control-service";
export type { ControlServiceOptions, RunningControlService } from "./options";
export { CONTROL_SETTINGS, controlConfig } from "./config";
export type { ControlConfig } from "./config";
export { startControl } from "./start-control";
export { quarantineRedrive } from "./quarantine-redrive";
export type { QuarantineRedrive, QuarantineRedriveOptions, RedriveRequest } from "./quarantine-redrive";
export type { ControlOptions, RunningControl } from "./start-control";
export { DEFAULTS } from "./defaults";
export { ROLES } from "./api-token";
export type { ApiToken, Role } from "./api-token";
export type { Caller } from "./authenticator";
export { loadTokenFile, parseTokenFile } from "./token-file";
export { TokenFileError } from "./token-file-error";
export { DEFAULT_VIOLATION_LIMIT, DEFAULT_WHAT_IF_SINCE, MAX_VIOLATION_LIMIT } from "./request-bodies";
export type { FlowListJson } from "./flow-json";
export type {
  DrainJson,
  ErrorJson,
  ExceptionJson,
  FlipJson,
  FlippedZoneJson,
  FlowCountJson,
  ReadinessJson,
  RedriveJson,
  ViolationJson,
  WhatIfEntryJson,
  WhatIfInvalidJson,
  WhatIfJson,
  ZoneDetailJson,
  ZoneJson,
} from "./wire-json";
