export { compilePolicy, type CompileResult } from "./compile-policy";
export type { ControlRejectionSummary } from "./control-rejections";
export type { ControlTopicStatus } from "./control-topic-status";
export { PolicyLoadError } from "./policy-load-error";
export type { PolicyHolder } from "./policy-holder";
export { startPolicyRuntime, type PolicyRuntime, type PolicyRuntimeOptions, type SwapListener } from "./policy-runtime";
