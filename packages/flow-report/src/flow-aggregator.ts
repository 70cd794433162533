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
 * A window's raw counts found by the identity of a write's frozen label and source lists, then by
 * its producer, sink and purpose: no key to build. Decision points hand the engine the same frozen
 * list for the same labels (the decision service's decoder, the enforcer's header reader), so
 * most writes are found here.
 */
type CountsByLists = WeakMap<readonly string[], WeakMap<readonly string[], Map<string, Map<string, Map<string, RawCount>>>>>;

/**
 * Counts the flows a decision point decides, in memory, per window. {@link record} is on the
 * decision path, so it does the least it can: a write whose label and source lists are frozen is
 * found by their identity and its three strings (see {@link CountsByLists}); any other by one
 * string join of its fields as the Map key and one lookup; then an increment; no sorting and no
 * hashing. Writes that list the same labels in another order land under different raw keys;
 * {@link take} canonicalises and signs each raw key once per window and merges those of one flow.
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
  /** The counts of `raw` found before by a write of frozen lists; forgotten with the window. */
  private byLists: CountsByLists = new WeakMap();
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
    const nowMs = Date.now();
    const frozen = Object.isFrozen(write.labels) && Object.isFrozen(write.sources);
    const known = frozen ? this.byLists.get(write.labels)?.get(write.sources)?.get(write.producer)?.get(write.sink)?.get(write.purpose) : undefined;
    if (known !== undefined) {
      known.count += 1;
      known.lastSeenMs = nowMs;
      return;
    }
    const key = `${write.producer}\u0000${write.sink}\u0000${write.labels.join("\u0001")}\u0000${write.sources.join("\u0001")}\u0000${write.purpose}`;
    let counted = this.raw.get(key);
    if (counted !== undefined) {
      counted.count += 1;
      counted.lastSeenMs = nowMs;
    } else if (this.raw.size < this.maxFlows) {
      counted = { write, count: 1, lastSeenMs: nowMs };
      this.raw.set(key, counted);
    } else {
      this.overBound += 1;
      return;
    }
    if (frozen) this.remember(write, counted);
  }

  /** Ends the window at `nowMs`: its flows canonical and merged by signature; a new window starts. */
  take(nowMs: number = Date.now()): TakenWindow {
    const raw = this.raw;
    const overBound = this.overBound;
    const startMs = this.windowStartMs;
    this.raw = new Map();
    this.byLists = new WeakMap();
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

  /** Makes `counted` findable by the identity of `write`'s frozen lists and its three strings. */
  private remember(write: Flow, counted: RawCount): void {
    const bySources = getOrSet(this.byLists, write.labels, () => new WeakMap<readonly string[], Map<string, Map<string, Map<string, RawCount>>>>());
    const byProducer = getOrSet(bySources, write.sources, () => new Map<string, Map<string, Map<string, RawCount>>>());
    const bySink = getOrSet(byProducer, write.producer, () => new Map<string, Map<string, RawCount>>());
    getOrSet(bySink, write.sink, () => new Map<string, RawCount>()).set(write.purpose, counted);
  }
}

function getOrSet<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}
