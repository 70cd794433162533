import type { ObservableResult } from "@opentelemetry/api";

import { METRIC_NAMES } from "./metric-names";
import type { Telemetry } from "./telemetry";

/**
 * Observes a follower's rejected control records at scrape time, as
 * `flowzone_control_records_rejected_total{source, reason}` (reason: unsigned,
 * malformed_signature, unknown_key, bad_signature). `byReason` is `controlRejections().byReason`
 * of @flowzone/policy-runtime; `source` tells the followers of one process apart
 * (`decision_service`, `enforcer`). Returns the function that stops observing.
 */
export function observeControlRejections(telemetry: Telemetry, source: string, byReason: () => Readonly<Record<string, number | undefined>>): () => void {
  const counter = telemetry.meter.createObservableCounter(METRIC_NAMES.controlRecordsRejected, {
    description: "Control records not applied because their signature did not verify against FLOWZONE_CONTROL_VERIFY_KEYS, by reason.",
  });
  const callback = (result: ObservableResult): void => {
    for (const [reason, count] of Object.entries(byReason())) if (count !== undefined) result.observe(count, { source, reason });
  };
  counter.addCallback(callback);
  return () => {
    counter.removeCallback(callback);
  };
}
