import type { FailMode, Write } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import { writeShapeKey, type DecisionCache } from "./decision-cache";
import { DeciderUnavailable, type Decider, type DeciderResult } from "./decider";
import { FlowCheckUnavailableError } from "./errors";
import { UNCHECKED_DECISION } from "./flow-write";
import type { FlowDecision } from "./types";

/** At most one "unchecked" warning per this many ms; the count in between is summed. */
const UNCHECKED_LOG_INTERVAL_MS = 1_000;

/** Counters the checker keeps. */
export interface CheckerCounters {
  decisionCalls: number;
  cacheHits: number;
  cacheMisses: number;
}

/**
 * Decides writes: the cache first, then one decider call for every write it missed. Only clean
 * allows (no violations) are cached: a violation, enforced or not, goes to the decider every
 * time so that each one is audited. On a decider failure the fail posture applies, closed when
 * the decider says the writes' zones fail closed or the producer's `failMode` is closed: closed
 * throws `FlowCheckUnavailableError`, open gives `unchecked` decisions (and a throttled warning
 * naming assets and labels, never a payload).
 */
export class WriteChecker {
  readonly counters: CheckerCounters = { decisionCalls: 0, cacheHits: 0, cacheMisses: 0 };
  private uncheckedSinceLog = 0;
  private lastUncheckedLogMs = 0;

  constructor(
    private readonly decider: Decider,
    private readonly cache: DecisionCache,
    private readonly failMode: FailMode,
    private readonly log: Logger,
  ) {
    decider.onPolicyChange(() => {
      cache.clear();
    });
  }

  get cacheDrops(): number {
    return this.cache.dropCount;
  }

  /** One decision per write, in order; at most one decider call. `traceparent` is "" for none. */
  async check(writes: readonly Write[], traceparent = ""): Promise<readonly FlowDecision[]> {
    const decisions: (FlowDecision | undefined)[] = new Array<FlowDecision | undefined>(writes.length);
    const missed: number[] = [];
    const keys: string[] = [];
    for (let i = 0; i < writes.length; i++) {
      const key = writeShapeKey(writes[i] as Write);
      keys.push(key);
      const hit = this.cache.get(key);
      if (hit === undefined) missed.push(i);
      else {
        decisions[i] = hit;
        this.decider.answeredFromCache?.(writes[i] as Write);
      }
    }
    this.counters.cacheHits += writes.length - missed.length;
    this.counters.cacheMisses += missed.length;
    if (missed.length === 0) return decisions as FlowDecision[];

    const asked = missed.map((i) => writes[i] as Write);
    this.counters.decisionCalls += 1;
    let results: readonly DeciderResult[];
    try {
      results = await this.decider.decide(asked, traceparent);
    } catch (error) {
      if (!(error instanceof DeciderUnavailable)) throw error;
      // The strictest posture wins: a zone the writes touch failing closed, or the producer's own failMode.
      if (error.posture === "closed") throw new FlowCheckUnavailableError(`flowzone could not check the write and fails closed; nothing was written: ${error.message}`, error);
      if (this.failMode === "closed") throw new FlowCheckUnavailableError(`flowzone could not check the write and the producer's failMode is closed; nothing was written: ${error.message}`, error);
      this.warnUnchecked(asked, error);
      for (const i of missed) decisions[i] = uncheckedDecision(writes[i] as Write);
      return decisions as FlowDecision[];
    }
    missed.forEach((i, n) => {
      const result = results[n] as DeciderResult;
      this.cache.observe(result.policyVersion);
      const decision = toFlowDecision(result);
      decisions[i] = decision;
      if (result.allow && result.violations.length === 0) this.cache.set(keys[i] as string, { ...decision, cached: true }, result.policyVersion);
    });
    return decisions as FlowDecision[];
  }

  private warnUnchecked(writes: readonly Write[], error: Error): void {
    this.uncheckedSinceLog += writes.length;
    const now = Date.now();
    if (now - this.lastUncheckedLogMs < UNCHECKED_LOG_INTERVAL_MS) return;
    const first = writes[0];
    this.log.warn(
      { writes: this.uncheckedSinceLog, producer: first?.producer, sink: first?.sink, labels: first?.labels, reason: error.message },
      "flowzone could not check writes; fail mode is open, so they are written unchecked (flowzone-decision: unchecked)",
    );
    this.uncheckedSinceLog = 0;
    this.lastUncheckedLogMs = now;
  }
}

function toFlowDecision(result: DeciderResult): FlowDecision {
  return {
    outcome: result.allow ? "allow" : "deny",
    decisionId: result.decisionId,
    policyVersion: result.policyVersion,
    violations: result.violations,
    labels: result.labels,
    cached: false,
  };
}

function uncheckedDecision(write: Write): FlowDecision {
  return { outcome: "unchecked", decisionId: UNCHECKED_DECISION, policyVersion: "", violations: [], labels: write.labels, cached: false };
}
