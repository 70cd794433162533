import { METRIC_NAMES } from "./metric-names";
import type { Telemetry } from "./telemetry";

/** How often the backlog is read at most; a scrape in between sees the cached sizes. */
export const BACKLOG_REFRESH_MS = 15_000;

/** One zone's backlog as the gauges show it. */
export interface ZoneBacklog {
  /** Open violation signatures. */
  readonly open: number;
  /** Signatures resolved per day over the drain forecast's window. */
  readonly resolvedPerDay: number;
  /** When the backlog drains at that pace; null unless it is draining. */
  readonly projectedDrainAtMs: number | null;
}

/** What the backlog gauges need, per zone, read from the control plane's store. */
export type ReadBacklog = () => Promise<ReadonlyMap<string, ZoneBacklog>>;

/** Options of {@link observeBacklog}. */
export interface BacklogMetricsOptions {
  readonly refreshMs?: number;
  /** Told when a read fails; the last good sizes stay served. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Observes the control plane's backlog (open violation signatures per zone) as a gauge. Reading it
 * is a database query, so a scrape never waits for one: the gauge serves the last read and starts
 * a new one when it is older than `refreshMs` (the first scrape after start triggers the first read;
 * {@link BacklogGauge.refresh} reads now). Returns the handle to refresh or stop it.
 */
export function observeBacklog(telemetry: Telemetry, read: ReadBacklog, options: BacklogMetricsOptions = {}): BacklogGauge {
  return new BacklogGauge(telemetry, read, options);
}

/**
 * The cached backlog behind `flowzone_backlog_open_signatures`, `flowzone_backlog_resolved_per_day`
 * and `flowzone_backlog_projected_drain_timestamp_seconds` (only zones that are draining have one:
 * an alert can fire on its absence or on a date past a deadline).
 */
export class BacklogGauge {
  private sizes: ReadonlyMap<string, ZoneBacklog> = new Map();
  private readAtMs = -Infinity;
  private reading: Promise<void> | undefined;
  private stopped = false;
  private readonly refreshMs: number;

  constructor(
    telemetry: Telemetry,
    private readonly read: ReadBacklog,
    private readonly options: BacklogMetricsOptions,
  ) {
    this.refreshMs = options.refreshMs ?? BACKLOG_REFRESH_MS;
    telemetry.meter.createObservableGauge(METRIC_NAMES.backlogOpen, { description: "Open violation signatures per zone (cached read of the backlog)." }).addCallback((result) => {
      if (this.stopped) return;
      if (Date.now() - this.readAtMs >= this.refreshMs) void this.refresh();
      for (const [zone, backlog] of this.sizes) result.observe(backlog.open, { zone });
    });
    telemetry.meter.createObservableGauge(METRIC_NAMES.backlogResolvedPerDay, { description: "Violation signatures resolved per day over the last 7 days, per zone." }).addCallback((result) => {
      if (this.stopped) return;
      for (const [zone, backlog] of this.sizes) result.observe(backlog.resolvedPerDay, { zone });
    });
    telemetry.meter
      .createObservableGauge(METRIC_NAMES.backlogProjectedDrain, { description: "When the zone's backlog drains at the last 7 days' pace (Unix seconds); absent unless draining.", unit: "s" })
      .addCallback((result) => {
        if (this.stopped) return;
        for (const [zone, backlog] of this.sizes) {
          if (backlog.projectedDrainAtMs !== null) result.observe(Math.round(backlog.projectedDrainAtMs / 1000), { zone });
        }
      });
  }

  /** Reads the backlog now (one read at a time); resolves when the cache holds it. */
  refresh(): Promise<void> {
    this.reading ??= this.read()
      .then(
        (sizes) => {
          this.sizes = sizes;
        },
        (error: unknown) => {
          this.options.onError?.(error);
        },
      )
      .finally(() => {
        this.readAtMs = Date.now();
        this.reading = undefined;
      });
    return this.reading;
  }

  /** Reads the backlog when the cached one is older than `refreshMs` (a scrape handler awaits it). */
  refreshIfStale(): Promise<void> {
    return this.stopped || Date.now() - this.readAtMs < this.refreshMs ? Promise.resolve() : this.refresh();
  }

  /** Stops observing and reading. */
  stop(): void {
    this.stopped = true;
  }
}
