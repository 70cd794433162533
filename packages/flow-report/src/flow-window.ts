import type { Flow } from "./flow";

/** One flow's decisions in a window, canonical and signed. */
export interface FlowCount {
  readonly signature: string;
  /** Canonical: labels and sources sorted, without duplicates. */
  readonly flow: Flow;
  readonly count: number;
  readonly lastSeenMs: number;
}

/** The distinct flows decided between `startMs` and `endMs`, by signature. */
export interface FlowWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly flows: ReadonlyMap<string, FlowCount>;
}

/**
 * A window whose send failed, merged into the next one: counts summed and the later last-seen
 * kept per signature, the window widened to span both. At most `maxFlows` distinct flows: the
 * older window's first (its counts are owed already), then the newer's; `dropped` is the decisions
 * of the newer flows beyond the bound, which the caller counts as not reported.
 */
export function mergeWindows(older: FlowWindow, newer: FlowWindow, maxFlows: number): { window: FlowWindow; dropped: number } {
  const flows = new Map(older.flows);
  let dropped = 0;
  for (const [signature, count] of newer.flows) {
    const kept = flows.get(signature);
    if (kept !== undefined) flows.set(signature, { ...kept, count: kept.count + count.count, lastSeenMs: Math.max(kept.lastSeenMs, count.lastSeenMs) });
    else if (flows.size < maxFlows) flows.set(signature, count);
    else dropped += count.count;
  }
  return { window: { startMs: Math.min(older.startMs, newer.startMs), endMs: Math.max(older.endMs, newer.endMs), flows }, dropped };
}
