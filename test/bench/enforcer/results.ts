/** Turns the runs of bench:enforcer into its section of docs/benchmarks.md. */
import type { Goal } from "../common/report";
import { goalsTable, markdownTable, writeSection } from "../common/report";
import { median } from "../common/stats";
import { dec, int, progress } from "../pdp/settings";
import type { Guarantee } from "./child-protocol";
import type { RunResult, System } from "./run";
import type { EnforcerBenchOptions } from "./settings";
import { ENFORCED_SHARE, LOGGING_SHARE, expectedCounts } from "./workload";

const GOAL_RATIO = 0.8;

interface Summary {
  readonly system: System;
  readonly guarantee: Guarantee;
  readonly runs: readonly RunResult[];
  readonly rate: number;
  readonly cpu: number;
  readonly p50: number;
  readonly p99: number;
  readonly transactions: number;
}

function summarize(runs: readonly RunResult[], system: System, guarantee: Guarantee): Summary | undefined {
  const mine = runs.filter((r) => r.system === system && r.guarantee === guarantee);
  if (mine.length === 0) return undefined;
  return {
    system,
    guarantee,
    runs: mine,
    rate: median(mine.map((r) => r.recordsPerSec)),
    cpu: median(mine.map((r) => r.cpuPer100k)),
    p50: median(mine.map((r) => r.latency.p50Ms)),
    p99: median(mine.map((r) => r.latency.p99Ms)),
    transactions: median(mine.map((r) => r.counts.transactions)),
  };
}

/** Every enforcer run must have routed exactly the workload's shares (at least, at-least-once). */
function checkCounts(opts: EnforcerBenchOptions, runs: readonly RunResult[]): void {
  const want = expectedCounts(opts.records);
  for (const r of runs) {
    const c = r.counts;
    const exact = r.guarantee === "exactly-once";
    const ok = (got: number, expected: number): boolean => (exact ? got === expected : got >= expected);
    const good =
      r.system === "pipe"
        ? ok(c.forwarded, opts.records)
        : ok(c.forwarded, want.forwarded) && ok(c.quarantined, want.quarantined) && ok(c.audits, want.audits);
    if (!good) throw new Error(`${r.system} ${r.guarantee}: counts ${JSON.stringify(c)} differ from the workload's ${JSON.stringify(want)}`);
    if (r.latency.received < r.latency.expected) progress(`warning: ${r.system} ${r.guarantee}: ${r.latency.received} of ${r.latency.expected} paced records read back in time`);
  }
}

export function finish(opts: EnforcerBenchOptions, date: Date, machine: readonly string[], runs: readonly RunResult[]): void {
  checkCounts(opts, runs);
  const rows: string[][] = [];
  const goals: Goal[] = [];
  for (const guarantee of opts.guarantees) {
    const pipe = summarize(runs, "pipe", guarantee);
    const enforcer = summarize(runs, "enforcer", guarantee);
    for (const s of [pipe, enforcer]) {
      if (s === undefined) continue;
      rows.push([
        guarantee,
        s.system === "pipe" ? "kafkajs pass-through pipe (ceiling)" : "flowzone enforcer",
        int(s.rate),
        s.runs.map((r) => int(r.recordsPerSec)).join(" / "),
        s.system === "enforcer" && pipe !== undefined ? dec(s.rate / pipe.rate) : "1.00",
        dec(s.cpu),
        s.system === "enforcer" && pipe !== undefined ? dec(s.cpu / pipe.cpu) : "1.00",
        int(s.p50),
        int(s.p99),
        int(s.transactions),
      ]);
    }
    if (pipe !== undefined && enforcer !== undefined) {
      const ratio = enforcer.rate / pipe.rate;
      goals.push({ what: `enforcer records/s ÷ pipe records/s, ${guarantee}`, measured: dec(ratio), target: `≥ ${GOAL_RATIO}`, met: ratio >= GOAL_RATIO });
    }
  }
  const want = expectedCounts(opts.records);
  const body = [
    "## Stream enforcer (`npm run bench:enforcer`)",
    "",
    "Written by `npm run bench:enforcer` (test/bench/enforcer/main.ts); do not edit by hand, rerun it.",
    "",
    `- Date: ${date.toISOString()}`,
    `- Command: \`npm run bench:enforcer\` (options: \`-- --records N --rounds N --paced-rate R --paced-seconds S --no-write\`)`,
    ...machine.map((m) => `- ${m}`),
    "",
    "### Method",
    "",
    `- One local broker (started and stopped by the benchmark). A source topic of 4 partitions holds ${int(opts.records)} pre-produced records ` +
      `(~200-byte JSON values, 10,000 keys, \`flowzone-labels\` and \`content-type\` headers): ${LOGGING_SHARE * 100}% labelled \`pii\` ` +
      `(a logging zone: forwarded and audited), ${ENFORCED_SHARE * 100}% \`health\` (an enforcing zone: quarantined and audited), the rest \`public\`. ` +
      `Every enforcer run must route exactly ${int(want.forwarded)} to \`to\`, ${int(want.quarantined)} to quarantine and write ${int(want.audits)} audit records.`,
    "- Each run: a system in its own child process with fresh output, quarantine, audit and latency topics (4/4/1/4 partitions), a fresh consumer " +
      "group and fresh transactional ids, reading the whole source topic from the beginning; pipe and enforcer runs alternate.",
    "- The pipe: a kafkajs consumer and producers with the enforcer's consumer settings, chunking (same bytes and records per chunk) and " +
      `partitions processed concurrently; it copies key, value and headers. Exactly-once: a transactional producer per input partition and per ` +
      "chunk send, sendOffsets, commit (the enforcer's design). At-least-once: one idempotent producer, acks from all replicas, then the offset commit.",
    "- records/s: records committed from the first commit to the last (the group join is not counted). CPU: utime + stime of the child over the " +
      "same interval from /proc/<pid>/stat, per 100k records.",
    `- Latency: after the throughput phase, an open-loop paced stream of ${int(opts.pacedRate)} records/s for ${opts.pacedSeconds} s into the latency ` +
      "lane, each record stamped with its send time; a read_committed consumer of the lane's `to` topic in the benchmark process takes " +
      "arrival − send time of every forwarded record.",
    `- Medians of ${opts.rounds} rounds.`,
    "",
    "### Results",
    "",
    markdownTable(
      ["guarantee", "system", "records/s", "per round", "vs pipe", "CPU s / 100k records", "CPU vs pipe", "latency p50 ms", "latency p99 ms", "commits (transactions or offset commits)"],
      rows,
    ),
    "",
    "### Goals",
    "",
    goalsTable(goals),
    "",
  ].join("\n");
  process.stdout.write(`\n${body}\n`);
  if (opts.write) progress(`wrote ${writeSection("enforcer", body)}`);
}
