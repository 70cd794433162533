import { canonicalFlow, flowSignature, type Flow } from "./flow";
import type { FlowCount, FlowWindow } from "./flow-window";

/** One raw key's decisions: the first write seen under it stands for them all. */
interface RawCount {
  readonly write: Flow;
  count: number;
  lastSeenMs: number;
}

/** What {@link FlowAggregator.take} hands over: the window, and decisions not counted in it for the bound. */
export interface TakenWindow {
  readonly window: FlowWindow;
  /** Decisions of flows beyond `maxFlows` in this window: not in it, to be counted by the caller. */
  readonly overBound: number;
}

/**
 * Counts the flows a decision point decides, in memory, per window. {@link record} is on the
 * decision path, so it does the least it can: one string join of the write's fields as the Map
 * key, one lookup, an increment; no sorting and no hashing. Writes that list the same labels in
 * another order land under different raw keys; {@link take} canonicalises and signs each raw key
 * once per window and merges those of one flow.
 *
 * The raw key joins the fields with NUL and SOH, which no decided write contains before its
 * purpose (asset ids and declared labels cannot), and the purpose comes last: two different writes
 * never share a key. Only writes the engine decided are recorded, so their fields are valid.
 *
 * At most `maxFlows` raw keys per window: a decision of a further flow is not stored but counted
 * (`overBound`), so a flood of distinct flows costs bounded memory and is never silently lost.
 */
export class FlowAggregator {
  private raw = new Map<string, RawCount>();
  private windowStartMs: number;
  private overBound = 0;

  constructor(
    private readonly maxFlows: number,
    nowMs: number = Date.now(),
  ) {
    this.windowStartMs = nowMs;
  }

  /** Counts one decided write (the hot path). */
  record(write: Flow): void {
    const key = `${write.producer}\u0000${write.sink}\u0000${write.labels.join("\u0001")}\u0000${write.sources.join("\u0001")}\u0000${write.purpose}`;
    const nowMs = Date.now();
    const counted = this.raw.get(key);
    if (counted !== undefined) {
      counted.count += 1;
      counted.lastSeenMs = nowMs;
    } else if (this.raw.size < this.maxFlows) {
      this.raw.set(key, { write, count: 1, lastSeenMs: nowMs });
    } else {
      this.overBound += 1;
    }
  }

  /** Ends the window at `nowMs`: its flows canonical and merged by signature; a new window starts. */
  take(nowMs: number = Date.now()): TakenWindow {
    const raw = this.raw;
    const overBound = this.overBound;
    const startMs = this.windowStartMs;
    this.raw = new Map();
    this.overBound = 0;
    this.windowStartMs = nowMs;
    const flows = new Map<string, FlowCount>();
    for (const { write, count, lastSeenMs } of raw.values()) {
      const flow = canonicalFlow(write);
      const signature = flowSignature(flow);
      const kept = flows.get(signature);
      flows.set(signature, kept === undefined ? { signature, flow, count, lastSeenMs } : { ...kept, count: kept.count + count, lastSeenMs: Math.max(kept.lastSeenMs, lastSeenMs) });
    }
    return { window: { startMs, endMs: Math.max(startMs, nowMs), flows }, overBound };
  }
}
