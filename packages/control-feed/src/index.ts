export { applyControlRecord } from "./apply-control-record";
export type { ControlRejection } from "./control-rejection";
export { EMPTY_SNAPSHOT, type ControlSnapshot, type PushedBundle } from "./control-snapshot";
export { followControlTopic, type ControlFeed, type ControlFeedOptions } from "./follow-control-topic";
export { runtimeStateOf } from "./runtime-state-of";
