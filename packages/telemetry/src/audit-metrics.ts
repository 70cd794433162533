import type { BatchObservableCallback } from "@opentelemetry/api";

import { METRIC_NAMES } from "./metric-names";
import type { Telemetry } from "./telemetry";

/** What the audit metrics read: `AuditWriter.stats()` of @flowzone/audit, structurally. */
export interface AuditStatsShape {
  readonly queued: number;
  readonly spooledBytes: number;
  readonly spooledRecords: number;
  readonly sent: number;
  readonly setAside: number;
  readonly droppedByZone: Readonly<Record<string, number>>;
  /** Set while the spool cannot write. */
  readonly spoolError: string | undefined;
}

/**
 * Observes an audit trail at scrape time (one `stats()` call per scrape): memory and spool depth,
 * and whether the spool can write, as gauges; sent, set-aside and dropped records (by zone) as
 * counters. `source` tells the writers of one process apart (`decision_service`; `flowzone dev`
 * runs several services in one process).
 * Returns the function that stops observing (call it when the writer closes).
 */
export function observeAuditTrail(telemetry: Telemetry, source: string, stats: () => AuditStatsShape): () => void {
  const meter = telemetry.meter;
  const queue = meter.createObservableGauge(METRIC_NAMES.auditQueue, { description: "Audit records waiting to be sent that are also held in memory." });
  const spoolRecords = meter.createObservableGauge(METRIC_NAMES.auditSpoolRecords, { description: "Audit records written ahead to the disk spool and not yet acknowledged by Kafka." });
  const spoolBytes = meter.createObservableGauge(METRIC_NAMES.auditSpoolBytes, { description: "Bytes of the audit records waiting in the disk spool." });
  const spoolWritable = meter.createObservableGauge(METRIC_NAMES.auditSpoolWritable, { description: "1 while the disk spool can write, 0 while a write to it fails (new audit records are refused meanwhile)." });
  const sent = meter.createObservableCounter(METRIC_NAMES.auditSent, { description: "Audit records Kafka acknowledged." });
  const setAside = meter.createObservableCounter(METRIC_NAMES.auditSetAside, { description: "Audit records Kafka refused (too large, invalid), kept in the dead-letter file beside the spool." });
  const dropped = meter.createObservableCounter(METRIC_NAMES.auditDropped, { description: "Audit records not kept (spool full or unwritable, or left at close), by zone." });
  const attributes = { source };
  const callback: BatchObservableCallback = (result) => {
    const now = stats();
    result.observe(queue, now.queued, attributes);
    result.observe(spoolRecords, now.spooledRecords, attributes);
    result.observe(spoolBytes, now.spooledBytes, attributes);
    result.observe(spoolWritable, now.spoolError === undefined ? 1 : 0, attributes);
    result.observe(sent, now.sent, attributes);
    result.observe(setAside, now.setAside, attributes);
    for (const [zone, count] of Object.entries(now.droppedByZone)) result.observe(dropped, count, { source, zone });
  };
  const observables = [queue, spoolRecords, spoolBytes, spoolWritable, sent, setAside, dropped];
  meter.addBatchObservableCallback(callback, observables);
  return () => {
    meter.removeBatchObservableCallback(callback, observables);
  };
}
