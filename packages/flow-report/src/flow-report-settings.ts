import { integer } from "@flowzone/service-kit";

/** Every default of flow reporting, in one place so services, docs and tests agree. */
export const FLOW_REPORT_DEFAULTS = {
  /** A window every 5 s: fresh enough for an inventory, a handful of records per flow a minute. */
  intervalMs: 5_000,
  /** Distinct flows per window (and carried over a failed send); beyond it decisions are counted, not reported. */
  maxFlows: 10_000,
  /** The longest window a setting may ask for. */
  maxIntervalMs: 3_600_000,
} as const;

/**
 * `FLOWZONE_FLOW_REPORT_INTERVAL_MS`: how often a decision point (decision service, enforcer)
 * sends the flows it decided to `flowzone.flows.v1`; 0 turns flow reporting off.
 */
export const FLOW_REPORT_INTERVAL_SETTING = integer({
  env: "FLOWZONE_FLOW_REPORT_INTERVAL_MS",
  description: `How often the flows decided are reported to flowzone.flows.v1, in ms (default ${FLOW_REPORT_DEFAULTS.intervalMs}); 0 turns flow reporting off.`,
  default: undefined,
  min: 0,
  max: FLOW_REPORT_DEFAULTS.maxIntervalMs,
});

/**
 * The report interval a decision point runs with: the given one, else the default; checked, so a
 * caller's bad option fails at start naming `what`. 0 means off.
 *
 * @throws RangeError naming `what` when the value is not a whole number of ms in range.
 */
export function flowReportIntervalMs(given: number | undefined, what: string): number {
  const intervalMs = given ?? FLOW_REPORT_DEFAULTS.intervalMs;
  if (!Number.isInteger(intervalMs) || intervalMs < 0 || intervalMs > FLOW_REPORT_DEFAULTS.maxIntervalMs) {
    throw new RangeError(`${what} must be a whole number of milliseconds from 0 (flow reporting off) to ${FLOW_REPORT_DEFAULTS.maxIntervalMs}, got ${String(given)}`);
  }
  return intervalMs;
}
