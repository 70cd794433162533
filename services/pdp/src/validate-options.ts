import { FLOW_REPORT_DEFAULTS } from "@flowzone/flow-report";
import { invalidSetting } from "@flowzone/service-kit";

import type { DecisionServiceOptions } from "./options";

/**
 * Rejects impossible options before anything binds or reads, like pino and connect-node do at
 * construction: a zero batch limit or a negative interval is a bug in the caller, not a runtime
 * condition.
 */
export function validateOptions(options: DecisionServiceOptions): void {
  if (options.policyDir === "") throw invalidSetting("policyDir", "must not be empty");
  if (options.host === "") throw invalidSetting("host", "must not be empty");
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw invalidSetting("port", `${options.port} is not a port (0 to 65535)`);
  }
  positive("reloadIntervalMs", options.reloadIntervalMs);
  positive("limits.maxMessageBytes", options.limits.maxMessageBytes);
  positive("limits.maxLabels", options.limits.maxLabels);
  positive("limits.maxSources", options.limits.maxSources);
  positive("limits.maxBatch", options.limits.maxBatch);
  const flowReportIntervalMs = options.flowReportIntervalMs;
  if (flowReportIntervalMs !== undefined && !(Number.isInteger(flowReportIntervalMs) && flowReportIntervalMs >= 0 && flowReportIntervalMs <= FLOW_REPORT_DEFAULTS.maxIntervalMs)) {
    throw invalidSetting("flowReportIntervalMs", `${flowReportIntervalMs} must be a whole number of ms from 0 (flow reporting off) to ${FLOW_REPORT_DEFAULTS.maxIntervalMs}`);
  }
}

function positive(setting: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw invalidSetting(setting, `${value} must be a positive integer`);
}
