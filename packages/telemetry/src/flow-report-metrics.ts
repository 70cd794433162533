import type { BatchObservableCallback } from "@opentelemetry/api";

import { METRIC_NAMES } from "./metric-names";
import type { Telemetry } from "./telemetry";

/** What the flow report metrics read: `FlowReporter.stats()` of @flowzone/flow-report, structurally. */
export interface FlowReportStatsShape {
  readonly sentRecords: number;
  readonly overBound: number;
  readonly failedSends: number;
}

/**
 * Observes a decision point's flow reporter at scrape time: records sent, decisions not reported
 * because their flow was beyond the per-window bound, and failed sends (whose counts were kept
 * for the next window), as counters by `source` (`decision_service`, `enforcer`). Returns the
 * function that stops observing (call it when the reporter closes).
 */
export function observeFlowReports(telemetry: Telemetry, source: string, stats: () => FlowReportStatsShape): () => void {
  const meter = telemetry.meter;
  const sent = meter.createObservableCounter(METRIC_NAMES.flowReportsSent, { description: "FlowReport records Kafka acknowledged on flowzone.flows.v1." });
  const overBound = meter.createObservableCounter(METRIC_NAMES.flowReportOverBound, { description: "Decisions not reported to flowzone.flows.v1: their flow was beyond the distinct flows one window holds." });
  const failed = meter.createObservableCounter(METRIC_NAMES.flowReportSendFailures, { description: "Sends of flow reports that failed; their counts were kept and sent with the next window." });
  const attributes = { source };
  const callback: BatchObservableCallback = (result) => {
    const now = stats();
    result.observe(sent, now.sentRecords, attributes);
    result.observe(overBound, now.overBound, attributes);
    result.observe(failed, now.failedSends, attributes);
  };
  const observables = [sent, overBound, failed];
  meter.addBatchObservableCallback(callback, observables);
  return () => {
    meter.removeBatchObservableCallback(callback, observables);
  };
}
