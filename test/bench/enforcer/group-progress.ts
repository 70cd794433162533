/**
 * The progress of one run's children taken together: one child on the single broker, a consumer
 * group of several in cluster mode. The run's clock starts at the first commit of any child (the
 * group join is not counted) and stops when the children together have committed every record.
 */
import type { ChildCounts, ChildProgress } from "./child-protocol";

export interface GroupThroughput {
  readonly recordsPerSec: number;
  /** CPU seconds of all children from each one's first commit to the end, per 100k records. */
  readonly cpuPer100k: number;
  /** Summed over the children, when they were done. */
  readonly counts: ChildCounts;
}

const COUNT_KEYS = ["records", "forwarded", "quarantined", "audits", "transactions", "aborted"] as const;

function sum(counts: readonly ChildCounts[]): ChildCounts {
  const total = { records: 0, forwarded: 0, quarantined: 0, audits: 0, transactions: 0, aborted: 0 };
  for (const c of counts) for (const key of COUNT_KEYS) total[key] += c[key];
  return total;
}

export class GroupProgress {
  private readonly first: (ChildProgress | undefined)[];
  private readonly latest: (ChildProgress | undefined)[];
  private result: GroupThroughput | undefined;

  constructor(
    children: number,
    /** Records of the throughput lane: done once the children together committed that many. */
    private readonly target: number,
  ) {
    this.first = Array.from({ length: children }, () => undefined);
    this.latest = Array.from({ length: children }, () => undefined);
  }

  /** Takes a progress line of child `index`; from the one that completes the target on, {@link done} is set. */
  add(index: number, progress: ChildProgress): void {
    if (this.result !== undefined) return;
    this.first[index] ??= progress;
    this.latest[index] = progress;
    const latest = this.latest.filter((p): p is ChildProgress => p !== undefined);
    const counts = sum(latest.map((p) => p.counts));
    if (counts.records < this.target) return;
    const starts = this.first.filter((p): p is ChildProgress => p !== undefined);
    const start = starts.reduce((a, b) => (b.at < a.at ? b : a));
    const seconds = (progress.at - start.at) / 1000;
    const processed = counts.records - start.counts.records;
    let cpu = 0;
    this.latest.forEach((p, i) => {
      const f = this.first[i];
      if (p !== undefined && f !== undefined) cpu += p.cpuSeconds - f.cpuSeconds;
    });
    this.result = { recordsPerSec: processed / seconds, cpuPer100k: (cpu / processed) * 100_000, counts };
  }

  get done(): GroupThroughput | undefined {
    return this.result;
  }
}
