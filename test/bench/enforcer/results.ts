/** Turns the runs of bench:enforcer into its section of docs/benchmarks.md. */
import type { Goal } from "../common/report";
import { CLUSTER_FLAG } from "../common/flags";
import { goalsTable, markdownTable, writeSection } from "../common/report";
import { median } from "../common/stats";
import { dec, int, progress } from "../pdp/settings";
import type { Guarantee } from "./child-protocol";
import type { RunResult } from "./run";
import { SYSTEMS, type EnforcerBenchOptions, type System } from "./settings";
import { ENFORCED_SHARE, LOGGING_SHARE, expectedCounts } from "./workload";

/**
 * Issue 14's goals on one broker; issue 11's for three enforcers on the cluster. The enforcer
 * against the pipe with its writes is held to the same ratio: that tells how much of the gap is
 * flowzone's own work rather than the Kafka writes the contract demands.
 */
function goalRatio(opts: EnforcerBenchOptions, guarantee: Guarantee): number {
  if (opts.cluster) return 0.8;
  return guarantee === "exactly-once" ? 0.95 : 0.9;
}

interface Summary {
  readonly system: System;
  readonly guarantee: Guarantee;
  readonly runs: readonly RunResult[];
  readonly rate: number;
  readonly cpu: number;
  readonly peakRssMiB: number;
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
    peakRssMiB: median(mine.map((r) => r.peakRssMiB)),
    p50: median(mine.map((r) => r.latency.p50Ms)),
    p99: median(mine.map((r) => r.latency.p99Ms)),
    transactions: median(mine.map((r) => r.counts.transactions)),
  };
}

const SYSTEM_NAMES: Record<System, string> = {
  pipe: "kafkajs pass-through pipe (ceiling)",
  "pipe-writes": "kafkajs pipe with the enforcer's writes",
  enforcer: "flowzone enforcer",
};

/** Every enforcer run, and every run of the pipe with its writes, must have routed exactly the workload's shares (at least, at-least-once). */
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
  const processes = opts.consumers === 1 ? "" : `, ${opts.consumers} processes in one group`;
  for (const guarantee of opts.guarantees) {
    const [pipe, pipeWrites, enforcer] = SYSTEMS.map((system) => summarize(runs, system, guarantee));
    for (const s of [pipe, pipeWrites, enforcer]) {
      if (s === undefined) continue;
      rows.push([
        guarantee,
        `${SYSTEM_NAMES[s.system]}${processes}`,
        int(s.rate),
        s.runs.map((r) => int(r.recordsPerSec)).join(" / "),
        pipe === undefined ? "–" : dec(s.rate / pipe.rate),
        dec(s.cpu),
        pipe === undefined ? "–" : dec(s.cpu / pipe.cpu),
        int(s.peakRssMiB),
        int(s.p50),
        int(s.p99),
        int(s.transactions),
      ]);
    }
    const target = goalRatio(opts, guarantee);
    const n = opts.consumers;
    const against = [
      [pipe, n === 1 ? "enforcer records/s ÷ pipe records/s" : `${n} enforcers together ÷ the pipe with ${n} consumers, records/s`],
      [pipeWrites, n === 1 ? "enforcer records/s ÷ records/s of the pipe with the enforcer's writes" : `${n} enforcers together ÷ the pipe with the enforcer's writes and ${n} consumers, records/s`],
    ] as const;
    for (const [over, what] of against) {
      if (over === undefined || enforcer === undefined) continue;
      const ratio = enforcer.rate / over.rate;
      goals.push({ what: `${what}, ${guarantee}`, measured: dec(ratio), target: `≥ ${target}`, met: ratio >= target });
    }
  }
  const want = expectedCounts(opts.records);
  const command = opts.cluster ? `npm run bench:enforcer -- ${CLUSTER_FLAG}` : "npm run bench:enforcer";
  const body = [
    opts.cluster ? `## Stream enforcer on the cluster (\`${command}\`)` : `## Stream enforcer (\`${command}\`)`,
    "",
    "Written by `npm run bench:enforcer` (test/bench/enforcer/main.ts); do not edit by hand, rerun it.",
    ...(opts.cluster ? ["Issue 11, item 6: three enforcers together against the pipe with three consumers, same run, on a three-broker cluster."] : []),
    "",
    `- Date: ${date.toISOString()}`,
    `- Command: \`${command}\` (options: \`-- --records N --rounds N --paced-rate R --paced-seconds S --no-write\`)`,
    ...machine.map((m) => `- ${m}`),
    "",
    "### Method",
    "",
    `- Kafka started and stopped by the benchmark (above). A source topic of ${opts.partitions} partitions holds ${int(opts.records)} pre-produced records ` +
      `(~200-byte JSON values, 10,000 keys, \`flowzone-labels\` and \`content-type\` headers): ${LOGGING_SHARE * 100}% labelled \`pii\` ` +
      `(a logging zone: forwarded and audited), ${ENFORCED_SHARE * 100}% \`health\` (an enforcing zone: quarantined and audited), the rest \`public\`. ` +
      `Every enforcer run, and every run of the pipe with the enforcer's writes, must route exactly ${int(want.forwarded)} to \`to\`, ${int(want.quarantined)} to quarantine and write ${int(want.audits)} audit records.`,
    `- Each run: ${opts.consumers === 1 ? "a system in its own child process" : `a system as ${opts.consumers} child processes in one consumer group (as many as brokers)`} ` +
      `with fresh output, quarantine, audit and latency topics (${opts.partitions}/${opts.partitions}/1/${opts.partitions} partitions, replicated as flowzone replicates its own), a fresh consumer ` +
      "group and fresh transactional ids (one per input partition, shared by the run's processes), reading the whole source topic from the beginning; the runs of the three systems alternate.",
    "- The pipe: a kafkajs consumer and producers with the enforcer's consumer settings, chunking (same bytes and records per chunk) and " +
      `partitions processed concurrently; it copies key, value and headers. Exactly-once: a transactional producer per input partition (with the enforcer's retry backoff) and per ` +
      "fetched batch one transaction: a send per chunk, sendOffsets, commit (the enforcer's design). At-least-once: one idempotent producer; per fetched batch a send per chunk with acks from all replicas, then the offset commit.",
    "- The pipe with the enforcer's writes: the same pipe, deciding nothing, writes what the enforcer writes: each record, by its `flowzone-labels`, to `to` or quarantine " +
      "with the enforcer's headers (same names, same values), and its audit records (encoded once at start, reused), all of a chunk in its one send. " +
      "The enforcer against it shows its own work; against the plain pipe, that and the writes the contract demands.",
    `- records/s: records committed${opts.consumers === 1 ? "" : ` by the ${opts.consumers} processes together`} from the first commit to the last (the group join is not counted` +
      `${opts.consumers === 1 ? "" : "; the rebalances as the other processes join are, for every system alike"}). CPU: utime + stime of ${opts.consumers === 1 ? "the child" : "every child"} ` +
      "from its first commit on, from /proc/<pid>/stat, per 100k records. Peak RSS: VmHWM of /proc/<pid>/status as the run ends " +
      `(${opts.consumers === 1 ? "the child's" : "the largest of the children's"}), median of the rounds.`,
    `- Latency: after the throughput phase, an open-loop paced stream of ${int(opts.pacedRate)} records/s for ${opts.pacedSeconds} s into the latency ` +
      "lane, each record stamped with its send time; a read_committed consumer of the lane's `to` topic in the benchmark process takes " +
      "arrival − send time of every forwarded record.",
    opts.rounds === 1 ? "- One round (a single run of each system and guarantee; no median)." : `- Medians of ${opts.rounds} rounds.`,
    "",
    "### Results",
    "",
    markdownTable(
      ["guarantee", "system", "records/s", "per round", "vs pipe", "CPU s / 100k records", "CPU vs pipe", "peak RSS MiB", "latency p50 ms", "latency p99 ms", "commits (transactions or offset commits)"],
      rows,
    ),
    "",
    "### Goals",
    "",
    goalsTable(goals),
    "",
  ].join("\n");
  process.stdout.write(`\n${body}\n`);
  if (opts.write) progress(`wrote ${writeSection(opts.cluster ? "enforcer-cluster" : "enforcer", body)}`);
}
