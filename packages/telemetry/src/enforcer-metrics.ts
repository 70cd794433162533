import type { ObservableResult } from "@opentelemetry/api";

import { METRIC_NAMES } from "./metric-names";
import type { Telemetry } from "./telemetry";

/** What happened to a record the enforcer consumed. */
export type RecordOutcome = "forwarded" | "quarantined" | "malformed" | "observed";

const OUTCOMES: readonly RecordOutcome[] = ["forwarded", "quarantined", "malformed", "observed"];

/**
 * The stream enforcer's metrics: records by outcome (a counter; `rate()` gives records/s) and the
 * consumer lag per route, taken from each fetched batch (`highWatermark - last offset - 1`, no
 * extra broker round trip) and summed over the route's partitions at scrape time. Counts are
 * plain numbers bumped per chunk and read by observable instruments, like the decision metrics.
 */
export class EnforcerMetrics {
  private readonly records = new Map<RecordOutcome, { count: number; readonly attributes: { readonly outcome: string } }>(
    OUTCOMES.map((outcome) => [outcome, { count: 0, attributes: { outcome } }]),
  );
  /** route → partition → lag. */
  private readonly lag = new Map<string, Map<number, number>>();

  constructor(readonly telemetry: Telemetry) {
    const meter = telemetry.meter;
    meter.createObservableCounter(METRIC_NAMES.enforcerRecords, { description: "Records the stream enforcer handled, by outcome." }).addCallback((result) => {
      for (const cell of this.records.values()) if (cell.count > 0) result.observe(cell.count, cell.attributes);
    });
    meter.createObservableGauge(METRIC_NAMES.enforcerLag, { description: "Records behind the high watermark, per route (summed over its partitions), as of the last fetched batch." }).addCallback((result) => {
      this.observeLag(result);
    });
  }

  /** Counts `count` records with one outcome. */
  countRecords(outcome: RecordOutcome, count: number): void {
    const cell = this.records.get(outcome);
    if (cell !== undefined && count > 0) cell.count += count;
  }

  /** The lag of a partition after a batch: `highWatermark` minus the next offset to read. */
  recordLag(route: string, partition: number, highWatermark: string, lastOffset: string): void {
    const lag = Math.max(0, Number(BigInt(highWatermark) - BigInt(lastOffset) - 1n));
    let partitions = this.lag.get(route);
    if (partitions === undefined) {
      partitions = new Map();
      this.lag.set(route, partitions);
    }
    partitions.set(partition, lag);
  }

  private observeLag(result: ObservableResult): void {
    for (const [route, partitions] of this.lag) {
      let total = 0;
      for (const lag of partitions.values()) total += lag;
      result.observe(total, { route });
    }
  }
}
