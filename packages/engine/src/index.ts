// Public surface of @flowzone/engine: named exports only.
export type {
  Asset,
  Bundle,
  BundleError,
  Decision,
  Defaults,
  ExpectedViolation,
  FailMode,
  Label,
  Mode,
  ParseResult,
  PolicyTestCase,
  PolicyTestSuite,
  RuleMode,
  RuntimeState,
  SourceFile,
  Violation,
  Write,
  WriteErrorCode,
  Zone,
  ZoneException,
  ZoneRule,
} from "./types";
export { parseBundle } from "./parse-bundle";
export { compilePatterns, isAssetId, isAssetPattern, matchesAny } from "./asset-id";
export type { PatternMatcher } from "./asset-id";
export { formatBundleError } from "./bundle-error";
export { parseDurationMs } from "./duration";
export { WriteError } from "./write-error";
export { checkCount, checkFieldBytes, countOverLimit } from "./write-checks";
export { DEFAULT_MAX_LABELS, DEFAULT_MAX_SOURCES } from "./count-bounds";
export { DEFAULT_MAX_FIELD_BYTES, quoteStart } from "./field-bounds";
export { INITIAL_STATE } from "./runtime-state";
export { PolicyEngine } from "./policy-engine";
export { runPolicyTests } from "./policy-tests";
export type { PolicyTestReport, PolicyTestResult } from "./policy-tests";
