/** Percentiles of the measured flips, where their time went, and the docs/benchmarks.md section. */
import type { Goal, Table } from "../common/report";
import { goalsTable, markdownTable } from "../common/report";
import type { FeedBatch, FlipTrace } from "./child-protocol";
import type { FlipResult } from "./measure";
import { propagation, sinceAck } from "./measure";
import type { RunMode } from "./mode";
import { ms } from "./settings";

/** Nearest-rank percentile (p99 of 100 values is the 99th smallest). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

const COLUMNS = ["p50", "p95", "p99", "max"] as const;
const PERCENTILES = [50, 95, 99, 100] as const;

function row(what: string, values: readonly number[]): string[] {
  return [what, String(values.filter((v) => Number.isFinite(v)).length), ...PERCENTILES.map((p) => ms(percentile(values, p)))];
}

const HEADER = ["interval (ms)", "flips", ...COLUMNS];

export interface Summary {
  readonly measured: readonly FlipResult[];
  readonly p99: number;
  readonly goal: Goal;
  readonly tables: readonly Table[];
  /** How many replica convergences came before the HTTP acknowledgement. */
  readonly beforeAck: number;
  /** Follower fetches that carried a flip: how many were already waiting (long poll) when the control produce started. */
  readonly waitingFetches: { readonly waiting: number; readonly of: number };
}

function controlSend(trace: FlipTrace | undefined, topicPrefix: string): { start: number; end: number; offset?: string | undefined } | undefined {
  return trace?.sends.find((s) => s.topic.startsWith(topicPrefix));
}

/** The batch of a replica's follower that carried the record at `offset`. */
function batchWith(feed: readonly FeedBatch[], offset: string | undefined): FeedBatch | undefined {
  if (offset === undefined) return undefined;
  const o = BigInt(offset);
  return feed.find((b) => BigInt(b.firstOffset) <= o && o <= BigInt(b.lastOffset));
}

export function summarize(
  flips: readonly FlipResult[],
  traces: ReadonlyMap<string, FlipTrace>,
  feeds: readonly (readonly FeedBatch[])[],
  replicaNames: readonly string[],
  controlTopic: string,
  auditTopic: string,
  mode: RunMode,
): Summary {
  const measured = flips.filter((f) => !f.warmup);
  const all = measured.map(propagation);
  const p99 = percentile(all, 99);
  const beforeAck = measured.reduce((n, f) => n + f.replicas.filter((r) => r.at <= f.ackAt).length, 0);
  const byDirection = (to: string): number[] => measured.filter((f) => f.to === to).map(propagation);

  const headline: Table = {
    title: "Flip propagation",
    intro:
      "From the HTTP 200 of `POST /v1/zones/{zone}/flip` to the moment every replica answers the probe `Check` under the new mode " +
      "(decision and `policy_version` epoch). A replica that already answered under the new mode before the acknowledgement counts 0.",
    header: HEADER,
    rows: [
      row(`**acknowledgement → all ${replicaNames.length} replicas** (the goal)`, all),
      ...replicaNames.map((name, i) => row(`acknowledgement → ${name}`, measured.map((f) => sinceAck(f, i)))),
      row("… flips to enforcement (forced)", byDirection("enforcement")),
      row("… flips back to logging", byDirection("logging")),
      row("request sent → all replicas (what a caller of the API waits in total)", measured.map((f) => Math.max(...f.replicas.map((r) => r.at)) - f.sentAt)),
      row("request sent → HTTP 200 (the acknowledgement itself)", measured.map((f) => f.ackAt - f.sentAt)),
    ],
  };

  const span = (pick: (f: FlipResult, t: FlipTrace) => number | undefined): number[] =>
    measured.map((f) => {
      const t = traces.get(f.reason);
      const v = t === undefined ? undefined : pick(f, t);
      return v ?? NaN;
    });
  const follower = (i: number): number[] =>
    measured.map((f) => {
      const send = controlSend(traces.get(f.reason), controlTopic);
      const r = f.replicas[i];
      return send === undefined || r === undefined ? NaN : r.at - send.end;
    });
  /** Over every (flip, replica): the control send, the replica's batch carrying it and its first answer under it. */
  const followerSpan = (pick: (f: FlipResult, send: { start: number; end: number }, batch: FeedBatch, answeredAt: number) => number): number[] =>
    measured.flatMap((f) => {
      const send = controlSend(traces.get(f.reason), controlTopic);
      return replicaNames.map((_name, i) => {
        const batch = batchWith(feeds[i] ?? [], send?.offset);
        const r = f.replicas[i];
        return send === undefined || batch === undefined || r === undefined ? NaN : pick(f, send, batch, r.at);
      });
    });
  const waitingFetches = followerSpan((_f, s, b) => (b.fetchStart <= s.start ? 1 : 0)).filter((v) => !Number.isNaN(v));
  const breakdown: Table = {
    title: "Where the time goes",
    intro:
      "Traced in the control-plane process (its database and Kafka client wrapped by the benchmark; clocks of processes on one machine). " +
      "The control plane publishes and audits inside the flip's transaction, before it commits, so the followers can start before the acknowledgement.",
    header: HEADER,
    rows: [
      row("HTTP request → ControlPlane.flip (transport, parse, auth)", span((f, t) => t.start - f.sentAt)),
      row("ControlPlane.flip → transaction begins (current policy)", span((_f, t) => (t.txStart === undefined ? undefined : t.txStart - t.start))),
      row("transaction begins → control produce (lock, epoch, modes, flip history)", span((_f, t) => {
        const s = controlSend(t, controlTopic);
        return s === undefined || t.txStart === undefined ? undefined : s.start - t.txStart;
      })),
      row(`produce to ${controlTopic} (acks all)`, span((_f, t) => {
        const s = controlSend(t, controlTopic);
        return s === undefined ? undefined : s.end - s.start;
      })),
      row(`produce to ${auditTopic} (acks all)`, span((_f, t) => {
        const s = controlSend(t, auditTopic);
        return s === undefined ? undefined : s.end - s.start;
      })),
      row("commit", span((_f, t) => (t.commitEnd === undefined || t.workEnd === undefined ? undefined : t.commitEnd - t.workEnd))),
      row("commit → ControlPlane.flip returns (zone read back)", span((_f, t) => (t.end === undefined || t.commitEnd === undefined ? undefined : t.end - t.commitEnd))),
      row("ControlPlane.flip returns → HTTP 200 at the client", span((f, t) => (t.end === undefined ? undefined : f.ackAt - t.end))),
      ...replicaNames.map((name, i) => row(`control record acknowledged → ${name} answers under it (fetch, decode, engine swap, probe)`, follower(i))),
      row(`follower, all replicas: control produce starts → the replica's fetch returns with the record`, followerSpan((_f, s, b) => b.fetchEnd - s.start)),
      row("follower, all replicas: fetch returns → batch applied, new engine in force", followerSpan((_f, _s, b) => b.applied - b.fetchEnd)),
      row("follower, all replicas: new engine in force → probe answers under it (probe period, probe round trip)", followerSpan((_f, _s, b, r) => r - b.applied)),
      row("… of which the round trip of the probe that saw it", measured.flatMap((f) => f.replicas.map((r) => r.rtt))),
      row("control record acknowledged → HTTP 200", span((f, t) => {
        const s = controlSend(t, controlTopic);
        return s === undefined ? undefined : f.ackAt - s.end;
      })),
    ],
  };

  const goal: Goal = {
    what: mode.goal,
    measured: `${ms(p99)} ms`,
    target: `≤ ${mode.goalP99Ms} ms`,
    met: p99 <= mode.goalP99Ms,
  };
  return { measured, p99, goal, tables: [headline, breakdown], beforeAck, waitingFetches: { waiting: waitingFetches.filter((v) => v === 1).length, of: waitingFetches.length } };
}

/** What one server process of the run cost. */
export interface ServerResources {
  readonly process: string;
  /** Peak RSS over the run, read before the process stopped. */
  readonly peakRssMiB: number;
  /** CPU (user + system) over the measured flips, per flip. */
  readonly cpuMsPerFlip: number;
}

export interface ReportInput {
  readonly mode: RunMode;
  readonly date: Date;
  readonly command: string;
  readonly machine: readonly string[];
  readonly method: readonly string[];
  readonly summary: Summary;
  readonly resources: readonly ServerResources[];
  readonly notes: readonly string[];
}

function resourcesTable(resources: readonly ServerResources[]): string {
  return markdownTable(
    ["process", "peak RSS MiB", "CPU ms per flip"],
    resources.map((r) => [r.process, Number.isFinite(r.peakRssMiB) ? r.peakRssMiB.toFixed(1) : "n/a", ms(r.cpuMsPerFlip)]),
  );
}

export function renderSection(input: ReportInput): string {
  const out: string[] = [
    input.mode.heading,
    "",
    "Written by `npm run bench:propagation` (test/bench/propagation/main.ts); do not edit by hand, rerun it.",
    input.mode.issue,
    "",
    `- Date: ${input.date.toISOString()}`,
    `- Command: \`${input.command}\``,
    ...input.machine.map((m) => `- ${m}`),
    "",
    "### Method",
    "",
    ...input.method.map((m) => `- ${m}`),
    "",
  ];
  for (const table of input.summary.tables) {
    out.push(`### ${table.title}`, "");
    if (table.intro !== undefined) out.push(table.intro, "");
    out.push(markdownTable(table.header, table.rows), "");
  }
  out.push("### Server resources", "", resourcesTable(input.resources), "");
  out.push("### Goal", "", goalsTable([input.summary.goal]), "");
  if (input.notes.length > 0) out.push("### Notes", "", ...input.notes.map((n) => `- ${n}`), "");
  return out.join("\n");
}
