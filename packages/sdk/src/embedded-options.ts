import { FLOW_REPORT_DEFAULTS } from "@flowzone/flow-report";

import { checkInteger, SDK_DEFAULTS } from "./options";

/** Options of {@link embeddedDecider}; every optional one has its default in `SDK_DEFAULTS`. */
export interface EmbeddedDeciderOptions {
  /** The bundle directory, reloaded every `reloadIntervalMs` (a broken bundle keeps the last good one). */
  readonly policyDir: string;
  readonly reloadIntervalMs?: number;
  /** Follow flowzone.control.v1 (pushed bundles, zone flips, exceptions); default true. */
  readonly followControlTopic?: boolean;
  readonly controlTopic?: string;
  /**
   * Comma-separated PEM files of the control plane's Ed25519 public keys (as
   * `FLOWZONE_CONTROL_VERIFY_KEYS`): given, only control records signed by one of them apply;
   * the others are logged as errors and skipped. "" (the default): every record applies.
   */
  readonly controlVerifyKeys?: string;
  readonly auditTopic?: string;
  /**
   * How often the flows this producer's writes make are reported to the flows topic, in ms
   * (default 5000, as the decision service); 0 turns flow reporting off.
   */
  readonly flowReportIntervalMs?: number;
  readonly flowsTopic?: string;
  /** Disk spool of the SDK's own audit trail; one producer per directory. */
  readonly auditSpoolDir: string;
}

/**
 * Fills defaults and throws a `RangeError` naming the option on anything wrong, so a bad option
 * fails where the producer is configured rather than on `connect()`.
 */
export function resolveEmbeddedOptions(given: EmbeddedDeciderOptions): Required<EmbeddedDeciderOptions> {
  // Read as untyped input: options often come from configuration, not from checked code.
  const options = given as Partial<EmbeddedDeciderOptions> | undefined;
  if (options === undefined || typeof options !== "object") throw new TypeError("guarded producer: embeddedDecider options must be an object");
  if (typeof options.policyDir !== "string" || options.policyDir === "") throw new RangeError("guarded producer: decider.policyDir must be the bundle directory");
  if (typeof options.auditSpoolDir !== "string" || options.auditSpoolDir === "") throw new RangeError("guarded producer: decider.auditSpoolDir must be a directory path");
  const resolved: Required<EmbeddedDeciderOptions> = {
    policyDir: options.policyDir,
    reloadIntervalMs: options.reloadIntervalMs ?? SDK_DEFAULTS.reloadIntervalMs,
    followControlTopic: options.followControlTopic ?? SDK_DEFAULTS.followControlTopic,
    controlTopic: options.controlTopic ?? SDK_DEFAULTS.controlTopic,
    controlVerifyKeys: options.controlVerifyKeys ?? "",
    auditTopic: options.auditTopic ?? SDK_DEFAULTS.auditTopic,
    flowReportIntervalMs: options.flowReportIntervalMs ?? FLOW_REPORT_DEFAULTS.intervalMs,
    flowsTopic: options.flowsTopic ?? SDK_DEFAULTS.flowsTopic,
    auditSpoolDir: options.auditSpoolDir,
  };
  checkInteger("decider.reloadIntervalMs", resolved.reloadIntervalMs, 10, 3_600_000);
  checkInteger("decider.flowReportIntervalMs", resolved.flowReportIntervalMs, 0, FLOW_REPORT_DEFAULTS.maxIntervalMs);
  if (resolved.controlTopic === "" || resolved.auditTopic === "" || resolved.flowsTopic === "") throw new RangeError("guarded producer: decider topics must not be empty");
  if (typeof resolved.controlVerifyKeys !== "string") throw new TypeError("guarded producer: decider.controlVerifyKeys must be comma-separated PEM file paths");
  return resolved;
}
