import type { Write } from "@flowzone/engine";

import type { FlowDecision } from "./types";

interface Entry {
  readonly decision: FlowDecision;
  readonly expiresAtMs: number;
}

/**
 * The shape of a write, the cache key: producer, sink, sorted labels, sorted sources, purpose.
 * Two writes of the same shape get the same decision from the same policy version, whatever
 * their payload, so a producer writing one kind of record over and over checks it once.
 */
export function writeShapeKey(write: Write): string {
  const labels = write.labels.length < 2 ? write.labels : [...write.labels].sort();
  const sources = write.sources.length < 2 ? write.sources : [...write.sources].sort();
  // \u0000 and \u0001 cannot occur in asset ids or label names, so the key is unambiguous.
  return `${write.producer}\u0000${write.sink}\u0000${labels.join("\u0001")}\u0000${sources.join("\u0001")}\u0000${write.purpose}`;
}

/**
 * A bounded cache of decisions by write shape, for one policy version. `observe(version)` drops
 * everything when the version changes; entries also expire after `ttlMs`, which bounds how long
 * a remote producer that only hits the cache can run on a policy it has not heard has changed.
 * Least recently used entries are evicted first.
 */
export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private version: string | undefined;
  private drops = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** How many times a policy change dropped the cache. */
  get dropCount(): number {
    return this.drops;
  }

  /** The cached decision of this shape, if fresh. */
  get(key: string): FlowDecision | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.decision;
  }

  /** Caches a decision made by `version` (observed first, so a newer version drops the rest). */
  set(key: string, decision: FlowDecision, version: string): void {
    if (this.maxEntries === 0) return;
    this.observe(version);
    this.entries.delete(key);
    this.entries.set(key, { decision, expiresAtMs: this.nowMs() + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Notes the policy version of a fresh decision; a different one drops every entry. */
  observe(version: string): void {
    if (version === this.version) return;
    if (this.version !== undefined) this.drops += 1;
    this.version = version;
    this.entries.clear();
  }

  /** Drops every entry (an embedded engine swapped). */
  clear(): void {
    this.drops += 1;
    this.entries.clear();
    this.version = undefined;
  }
}
