import { setTimeout as delay } from "node:timers/promises";

import type { EnforcementPoint } from "@flowzone/audit";
import type { Logger } from "@flowzone/logging";

import type { Flow } from "./flow";
import { FlowAggregator } from "./flow-aggregator";
import { encodeFlowReport, type EncodedFlowReport } from "./flow-report-record";
import { mergeWindows, type FlowWindow } from "./flow-window";

/** How long close() waits for the last window to be sent: a stopping process is not held up by Kafka being away. */
const CLOSE_SEND_MS = 5_000;

/** Where a window's records go (the flows topic; tests hand in fakes). */
export interface FlowSender {
  /** Resolves once every record is acknowledged; rejects when any may not be. */
  send(records: readonly EncodedFlowReport[]): Promise<void>;
  close(): Promise<void>;
}

/** What a {@link FlowReporter} needs; `startFlowReporter` builds it for Kafka. */
export interface FlowReporterOptions {
  readonly sender: FlowSender;
  readonly logger: Logger;
  readonly enforcementPoint: EnforcementPoint;
  /** Identifies the reporting process on each record, e.g. `pdp-3f9a…`. */
  readonly reporter: string;
  /** The policy version in force now; each record carries the one at its window's end. */
  readonly policyVersion: () => string;
  /** How often a window ends and is sent; above 0 (0, reporting off, means no reporter at all). */
  readonly intervalMs: number;
  /** Distinct flows per window, and per window carried over after a failed send. */
  readonly maxFlows: number;
}

/** Counters of a reporter since it started; the telemetry package observes them. */
export interface FlowReporterStats {
  /** FlowReport records Kafka acknowledged. */
  readonly sentRecords: number;
  /** Decisions not reported: their flow was beyond `maxFlows` in its window. */
  readonly overBound: number;
  /** Sends that failed; their windows were kept and merged into the next send. */
  readonly failedSends: number;
}

/**
 * Reports the distinct flows a decision point decided: {@link record} counts in memory (cheap, on
 * the decision path); every `intervalMs` the window ends and its flows go out as one FlowReport
 * each. A send that fails keeps the window and merges it into the next one (bounded by
 * `maxFlows`), logged once until sends succeed again, and counted. Flow reports are statistics,
 * not findings: nothing is written to disk, so a crash loses at most the window in memory.
 * A tick while a send is still under way is skipped: the window just grows until the next one.
 */
export class FlowReporter {
  private readonly aggregator: FlowAggregator;
  /** A window whose send failed, merged into the next. */
  private pending: FlowWindow | undefined;
  private flushing: Promise<void> | undefined;
  private failing = false;
  private readonly counts = { sentRecords: 0, overBound: 0, failedSends: 0 };
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: FlowReporterOptions) {
    this.aggregator = new FlowAggregator(options.maxFlows);
    this.timer = setInterval(() => {
      void this.flush();
    }, options.intervalMs);
    this.timer.unref();
  }

  /** Counts one decided write. */
  record(write: Flow): void {
    this.aggregator.record(write);
  }

  /** Ends the window now and sends it (with any window kept from a failed send); resolves when done, never rejects. */
  flush(): Promise<void> {
    this.flushing ??= this.sendWindow().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  stats(): FlowReporterStats {
    return { ...this.counts };
  }

  /**
   * Stops the timer, sends what is left (after a send under way) and closes the sender. Gives up
   * after `closeSendMs`, with a warning: the counts not sent are lost, as they would be in a crash.
   */
  async close(closeSendMs: number = CLOSE_SEND_MS): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    const timeout = new AbortController();
    const sent = (async () => {
      await this.flushing;
      await this.flush();
      return true;
    })();
    const inTime = await Promise.race([sent, delay(closeSendMs, false, { signal: timeout.signal }).catch(() => false)]);
    timeout.abort();
    if (!inTime || this.pending !== undefined) this.options.logger.warn({ closeSendMs }, "the last flow reports could not be sent before stopping; their counts are lost");
    await this.options.sender.close();
  }

  private async sendWindow(): Promise<void> {
    const { logger, maxFlows } = this.options;
    const taken = this.aggregator.take();
    let window = taken.window;
    let overBound = taken.overBound;
    if (this.pending !== undefined) {
      const merged = mergeWindows(this.pending, window, maxFlows);
      window = merged.window;
      overBound += merged.dropped;
      this.pending = undefined;
    }
    if (overBound > 0) {
      this.counts.overBound += overBound;
      logger.warn({ maxFlows, decisions: overBound }, "more distinct flows than maxFlows in this window: decisions of the flows beyond it are not reported (counted in flowzone_flow_report_over_bound_total)");
    }
    if (window.flows.size === 0) return;
    const source = { enforcementPoint: this.options.enforcementPoint, reporter: this.options.reporter, policyVersion: this.options.policyVersion() };
    const records = [...window.flows.values()].map((counted) => encodeFlowReport(counted, window, source));
    try {
      await this.options.sender.send(records);
    } catch (error) {
      this.pending = window;
      this.counts.failedSends += 1;
      if (!this.failing) logger.warn({ err: error, flows: records.length }, "cannot send flow reports; their counts are kept and sent with the next window");
      this.failing = true;
      return;
    }
    this.counts.sentRecords += records.length;
    if (this.failing) logger.info({ flows: records.length }, "flow reports are sent again");
    this.failing = false;
  }
}
