import { compilePatterns, firstMatch, matchesAny } from "./asset-id";
import type { PatternMatcher } from "./asset-id";
import { resolveFailMode } from "./modes";
import { boundaryReason, denyReason } from "./reasons";
import type { Bundle, Decision, FailMode, Violation, Write, Zone, ZoneRule } from "./types";
import { checkCount, checkFieldBytes, checkWriteAsset, unknownLabel, unknownSource } from "./write-checks";

/**
 * A rule of a zone addressed by a slot number: slot `zone.slot` is the zone's boundary rule,
 * `zone.slot + 1 + i` its i-th extra rule. Per-sink and per-state data are flat arrays by slot.
 */
export interface CompiledZone {
  readonly zone: Zone;
  /** Position in the bundle's zones. */
  readonly index: number;
  readonly slot: number;
  readonly members: PatternMatcher;
  readonly purposes: ReadonlySet<string>;
  /** Interned ids of the protected labels, in the order of `labels`. */
  readonly protectIds: Int32Array;
  /** The protected labels, sorted and frozen: the violation labels when the write carries all of them. */
  readonly labels: readonly string[];
  readonly rules: readonly CompiledRule[];
}

/** An extra rule with its deny patterns compiled. */
export interface CompiledRule {
  readonly rule: ZoneRule;
  readonly deny: PatternMatcher;
}

/**
 * Per-sink memo: whether each slot's patterns match the sink (0 unknown, 1 yes, 2 no), its
 * reasons, and its last violation (frozen; reused while the mode and the carried labels match).
 */
export interface SinkInfo {
  readonly sink: string;
  readonly matches: Int8Array;
  readonly reasons: (string | undefined)[];
  readonly violations: (Violation | undefined)[];
  /** By slot: the last decision whose only violation was that slot's, kept while the violation recurs. */
  readonly decisions: (Decision | undefined)[];
}

/** Bound on memoised sinks; the memo is cleared when it fills, so odd traffic cannot grow memory. */
export const SINK_CACHE_LIMIT = 10_000;

const MATCH = 1;
const NO_MATCH = 2;

/**
 * The state-independent index of a bundle: labels interned, label to zones, patterns compiled,
 * sink matches memoised. Built once per bundle and shared by every runtime overlay, so a zone
 * flip never recompiles patterns.
 */
export class CompiledBundle {
  readonly zones: readonly CompiledZone[];
  readonly zoneIndex: ReadonlyMap<string, number>;
  readonly slotCount: number;
  /** Resolved fail posture per slot (rule, then zone, then Defaults): it does not depend on runtime state. */
  readonly slotFailModes: readonly FailMode[];
  /** Zone indices of the write touched by the last {@link touch}, in bundle order. */
  readonly touched: Int32Array;
  /** Marks labels of the current write: `labelStamp[id] === stamp`. */
  readonly labelStamp: Int32Array;
  stamp = 0;
  /** The memo entry of the sink of the write last passed to {@link touch}. */
  sink: SinkInfo;
  /**
   * Decisions per zone (by index) in which the zone was evaluated, since the last take. The
   * control plane needs them: a drained zone that saw no traffic is not proven ready.
   */
  readonly zoneDecisions: Float64Array;

  private readonly labelIds = new Map<string, number>();
  private readonly zonesByLabel: Int32Array[] = [];
  private readonly sourceLabels = new Map<string, Int32Array>();
  private readonly zoneStamp: Int32Array;
  private readonly sinks = new Map<string, SinkInfo>();

  constructor(readonly bundle: Bundle) {
    for (const name of [...bundle.labels.keys()].sort()) this.labelIds.set(name, this.labelIds.size);
    const byLabel: number[][] = [...this.labelIds.keys()].map(() => []);
    const zones: CompiledZone[] = [];
    const zoneIndex = new Map<string, number>();
    const failModes: FailMode[] = [];
    bundle.zones.forEach((zone, index) => {
      const labels = Object.freeze([...zone.protects].sort());
      const protectIds = Int32Array.from(labels, (label) => this.idOf(label));
      for (const id of protectIds) byLabel[id]?.push(index);
      zones.push({
        zone,
        index,
        slot: failModes.length,
        members: compilePatterns(zone.members),
        purposes: new Set(zone.purposes),
        protectIds,
        labels,
        rules: zone.rules.map((rule) => ({ rule, deny: compilePatterns(rule.deny) })),
      });
      zoneIndex.set(zone.name, index);
      failModes.push(resolveFailMode(undefined, zone.failMode, bundle.defaults.failMode));
      for (const rule of zone.rules) failModes.push(resolveFailMode(rule.failMode, zone.failMode, bundle.defaults.failMode));
    });
    this.zonesByLabel = byLabel.map((list) => Int32Array.from(list));
    for (const asset of bundle.assets.values()) {
      this.sourceLabels.set(asset.id, Int32Array.from(asset.labels, (label) => this.idOf(label)));
    }
    this.zones = zones;
    this.zoneIndex = zoneIndex;
    this.slotCount = failModes.length;
    this.slotFailModes = failModes;
    this.touched = new Int32Array(zones.length);
    this.zoneStamp = new Int32Array(zones.length);
    this.zoneDecisions = new Float64Array(zones.length);
    this.labelStamp = new Int32Array(this.labelIds.size);
    this.sink = { sink: "", matches: new Int8Array(this.slotCount), reasons: [], violations: [], decisions: [] };
  }

  private idOf(label: string): number {
    const id = this.labelIds.get(label);
    if (id === undefined) throw new Error(`bundle is inconsistent: label "${label}" is not declared`);
    return id;
  }

  /**
   * Validates a write and collects the zones its labels (own and sources') touch into
   * {@link touched}, in bundle order; returns how many. Throws a WriteError for a bad write.
   * Synchronous and non-reentrant by design: the scratch arrays are reused without allocation.
   */
  touch(write: Write): number {
    const maxBytes = this.bundle.defaults.maxFieldBytes;
    checkWriteAsset("producer", write.producer, maxBytes);
    let sink = this.sinks.get(write.sink);
    if (sink === undefined) {
      checkWriteAsset("sink", write.sink, maxBytes);
      sink = this.remember(write.sink);
    }
    checkFieldBytes("purpose", write.purpose, maxBytes);
    const { maxLabels, maxSources } = this.bundle.defaults;
    checkCount("labels", write.labels.length, maxLabels, "maxLabels of the bundle's Defaults");
    checkCount("sources", write.sources.length, maxSources, "maxSources of the bundle's Defaults");
    this.sink = sink;
    let stamp = this.stamp + 1;
    if (stamp === 0x7fffffff) {
      this.labelStamp.fill(0);
      this.zoneStamp.fill(0);
      stamp = 1;
    }
    this.stamp = stamp;
    let count = 0;
    const labels = write.labels;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] ?? "";
      const id = this.labelIds.get(label);
      if (id === undefined) throw unknownLabel(`labels[${i}]`, label);
      count = this.mark(id, count);
    }
    const sources = write.sources;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i] ?? "";
      const ids = this.sourceLabels.get(source);
      if (ids === undefined) throw unknownSource(`sources[${i}]`, source);
      for (const id of ids) count = this.mark(id, count);
    }
    if (count > 1) sortPrefix(this.touched, count);
    return count;
  }

  private mark(labelId: number, count: number): number {
    this.labelStamp[labelId] = this.stamp;
    const zones = this.zonesByLabel[labelId];
    if (zones === undefined) return count;
    let next = count;
    for (const zone of zones) {
      if (this.zoneStamp[zone] !== this.stamp) {
        this.zoneStamp[zone] = this.stamp;
        this.touched[next++] = zone;
      }
    }
    return next;
  }

  /** Memoises a validated sink; the memo is cleared wholesale when it reaches {@link SINK_CACHE_LIMIT}. */
  private remember(sink: string): SinkInfo {
    if (this.sinks.size >= SINK_CACHE_LIMIT) this.sinks.clear();
    const info: SinkInfo = { sink, matches: new Int8Array(this.slotCount), reasons: [], violations: [], decisions: [] };
    this.sinks.set(sink, info);
    return info;
  }

  /** Whether the sink is one of the zone's members (memoised). */
  isMember(info: SinkInfo, zone: CompiledZone): boolean {
    return this.matchSlot(info, zone.slot, zone.members);
  }

  /** Whether the sink matches one of the rule's deny patterns (memoised); `slot` is the rule's slot. */
  isDenied(info: SinkInfo, rule: CompiledRule, slot: number): boolean {
    return this.matchSlot(info, slot, rule.deny);
  }

  private matchSlot(info: SinkInfo, slot: number, matcher: PatternMatcher): boolean {
    let state = info.matches[slot];
    if (state === 0) {
      state = matchesAny(matcher, info.sink) ? MATCH : NO_MATCH;
      info.matches[slot] = state;
    }
    return state === MATCH;
  }

  /** The reason of a boundary violation for this sink, built once per sink and zone. */
  boundaryReason(info: SinkInfo, zone: CompiledZone): string {
    let reason = info.reasons[zone.slot];
    if (reason === undefined) {
      reason = boundaryReason(zone.zone, info.sink);
      info.reasons[zone.slot] = reason;
    }
    return reason;
  }

  /** The reason of a deny-rule violation for this sink, built once per sink and rule. */
  denyReason(info: SinkInfo, zone: CompiledZone, rule: CompiledRule, slot: number): string {
    let reason = info.reasons[slot];
    if (reason === undefined) {
      reason = denyReason(zone.zone, rule.rule, info.sink, firstMatch(rule.rule.deny, info.sink));
      info.reasons[slot] = reason;
    }
    return reason;
  }

  /** The zone's protected labels the current write carries, sorted (shared array when it carries all). */
  carriedLabels(zone: CompiledZone): readonly string[] {
    const ids = zone.protectIds;
    let carried = 0;
    for (const id of ids) if (this.labelStamp[id] === this.stamp) carried++;
    if (carried === ids.length) return zone.labels;
    return zone.labels.filter((_, i) => this.labelStamp[ids[i] ?? -1] === this.stamp);
  }
}

/** Insertion sort of the first `count` entries: tiny arrays, no allocation. */
function sortPrefix(values: Int32Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const value = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) > value) {
      values[j + 1] = values[j] ?? 0;
      j--;
    }
    values[j + 1] = value;
  }
}
