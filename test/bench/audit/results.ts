/** Medians per cell, the ON/OFF ratios, the goals and the Markdown section of docs/benchmarks.md. */
import type { Goal } from "../common/report";
import { goalsTable, markdownTable } from "../common/report";
import { denyFraction, median } from "../common/stats";
import type { TopicContents } from "./audit-check";
import type { RunResult } from "../common/load-generator";
import type { Options } from "./settings";
import { GOAL_RATIO, IN_FLIGHT, STREAMS, STREAM_WINDOW, TRAFFIC_DEFERRED_MS, dec, int, ratio3 } from "./settings";

/** audit off, audit on (flow reporting off), audit on + flows (flow reporting on), audit on without the device flush. */
export type Server = "off" | "on" | "flows" | "nofsync";
export type Call = "unary" | "stream";

export interface Round {
  readonly res: RunResult;
  readonly serverCpuS: number;
  /** Audit on: ms from the round's last answer until the topic held every record so far. */
  readonly drainMs: number;
}

export interface Cell {
  readonly server: Server;
  readonly call: Call;
  readonly rounds: Round[];
  nextSeq: number;
}

export interface Verification {
  readonly topic: string;
  readonly deniedAnswered: number;
  readonly endOffsetsAfterRounds: number;
  readonly contents: TopicContents;
}

export interface CellSummary {
  readonly server: Server;
  readonly call: Call;
  readonly callsPerSec: number;
  readonly checksPerSec: number;
  readonly perRound: readonly number[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuPer100k: number;
  readonly drainMs: number;
  readonly fraction: number;
  readonly checks: number;
  readonly denies: number;
}

export interface Summary {
  readonly cells: readonly CellSummary[];
  readonly ratios: Readonly<Record<Call, { readonly throughput: number; readonly perRound: readonly number[]; readonly cpu: number }>>;
  readonly goals: readonly Goal[];
  readonly verification: Verification;
  readonly verified: boolean;
}

export const CALL_NAME: Record<Call, string> = {
  unary: `unary Check (${IN_FLIGHT} in flight)`,
  stream: `CheckStream (${STREAMS} streams × ${STREAM_WINDOW} in flight)`,
};

export function summarizeCell(cell: Cell): CellSummary {
  const { fraction, checks } = denyFraction(`audit ${cell.server} ${cell.call}`, cell.rounds.map((r) => r.res.outcomes));
  return {
    server: cell.server,
    call: cell.call,
    callsPerSec: median(cell.rounds.map((r) => r.res.callsPerSec)),
    checksPerSec: median(cell.rounds.map((r) => r.res.checksPerSec)),
    perRound: cell.rounds.map((r) => r.res.checksPerSec),
    p50Ms: median(cell.rounds.map((r) => r.res.p50Ms)),
    p99Ms: median(cell.rounds.map((r) => r.res.p99Ms)),
    serverCpuPer100k: median(cell.rounds.map((r) => (r.serverCpuS / r.res.checks) * 1e5)),
    drainMs: median(cell.rounds.map((r) => r.drainMs)),
    fraction,
    checks,
    denies: cell.rounds.reduce((sum, r) => sum + r.res.denies, 0),
  };
}

export function summarize(cells: readonly Cell[], verification: Verification): Summary {
  const summaries = cells.map(summarizeCell);
  const get = (server: Server, call: Call): CellSummary => {
    const s = summaries.find((c) => c.server === server && c.call === call);
    if (s === undefined) throw new Error(`no cell audit ${server} ${call}`);
    return s;
  };
  const rounds = (server: Server, call: Call): readonly number[] => cells.find((c) => c.server === server && c.call === call)?.rounds.map((r) => r.res.checksPerSec) ?? [];
  const ratioOf = (call: Call): Summary["ratios"]["unary"] => {
    const on = get("on", call);
    const off = get("off", call);
    const onRounds = rounds("on", call);
    const offRounds = rounds("off", call);
    return {
      throughput: on.checksPerSec / off.checksPerSec,
      perRound: onRounds.map((v, i) => v / (offRounds[i] ?? NaN)),
      cpu: on.serverCpuPer100k / off.serverCpuPer100k,
    };
  };
  const ratios = { unary: ratioOf("unary"), stream: ratioOf("stream") };
  const c = verification.contents;
  const verified =
    c.violations === verification.deniedAnswered && c.others === 0 && c.distinctIds === c.violations && c.distinctDecisions === c.violations && c.read === c.endOffsets;
  const goals: Goal[] = [
    ...(["unary", "stream"] as const).map((call) => ({
      what: `${CALL_NAME[call]}: checks/s audit on ÷ audit off`,
      measured: ratio3(ratios[call].throughput),
      target: `≥ ${GOAL_RATIO}`,
      met: ratios[call].throughput >= GOAL_RATIO,
    })),
    {
      what: "violation records on the audit topic = denied checks answered by audit on",
      measured: `${int(c.violations)} = ${int(verification.deniedAnswered)}`,
      target: "equal, no duplicates, nothing else",
      met: verified,
    },
  ];
  return { cells: summaries, ratios, goals, verification, verified };
}

export interface SectionInput {
  readonly date: Date;
  readonly command: string;
  readonly machine: readonly string[];
  readonly opts: Options;
  readonly summary: Summary;
  readonly auditTopic: string;
  /** Each service's peak RSS in MiB, read just before it was closed. */
  readonly peakRssMiB: Readonly<Record<Server, number>>;
}

export function renderSection(input: SectionInput): string {
  const { summary, opts } = input;
  const v = summary.verification;
  const c = v.contents;
  const rows = summary.cells.map((s) => [
    CALL_NAME[s.call],
    s.server === "on" ? "**on**" : "off",
    int(s.callsPerSec),
    int(s.checksPerSec),
    s.perRound.map(int).join(" / "),
    dec(s.p50Ms),
    dec(s.p99Ms),
    dec(s.serverCpuPer100k),
    s.server === "on" ? int(s.drainMs) : "–",
    s.server === "on" ? ratio3(summary.ratios[s.call].throughput) : "–",
    s.server === "on" ? ratio3(summary.ratios[s.call].cpu) : "–",
    s.fraction.toFixed(6),
  ]);
  const out = [
    "## Decision service, audit trail on against off (`npm run bench:audit`)",
    "",
    "Written by `npm run bench:audit` (test/bench/audit/main.ts); do not edit by hand, rerun it. Method and",
    "workload: test/bench/README.md (\"zones-20\"); issue 3 asks for audit on ≥ 0.9 × audit off, unary and stream.",
    "",
    `- Date: ${input.date.toISOString()}`,
    `- Command: \`${input.command}\``,
    ...input.machine.map((m) => `- ${m}`),
    "",
    "### Method",
    "",
    "- Two decision services (`startDecisionService`, 127.0.0.1, the service's defaults, each its own Node process) run side by side on the zones-20 bundle: " +
      "**audit off** without brokers; **audit on** with the local broker, its own fresh audit and control topics and a temporary spool directory, " +
      "so it writes one `AuditRecord` (violation) per violation through `AuditWriter`: written ahead to the spool and on the device (a synchronized write, `O_DSYNC`, one per group commit) before each answer, then sent by an idempotent producer with acks from all in-sync replicas.",
    `- 65% of the checks (4,200 of every 6,500) are denied with one violation each, so audit on writes ~0.65 audit records per check. ` +
      `Its zone_traffic reports (one record per zone every 10 s by default) are deferred to ${TRAFFIC_DEFERRED_MS / 3_600_000} h so that the topic's end offsets count violation records only.`,
    `- One grpc-js load generator (bench:pdp's): unary \`Check\` with ${IN_FLIGHT} calls in flight; \`CheckStream\` with ${STREAMS} bidirectional streams × ${STREAM_WINDOW} requests in flight. ` +
      "Every answer is checked against the workload's expected decision.",
    `- Warm-up ${opts.warmupSeconds} s per cell, then ${opts.rounds} rounds of ${opts.seconds} s per cell; in each round unary then stream, audit off and on back to back, ` +
      "alternating which goes first. Figures are medians of the rounds; the ratio is of the medians (per-round ratios in the notes).",
    "- Server CPU is user + system time of the service's process (all threads, /proc) over the round; for audit on the round ends only once the audit topic holds every record owed so far, " +
      "so sending the round's records is counted in it. \"Topic caught up\" is that wait, after the round's last answer.",
    "- After the rounds the audit topic's end offsets are read, and the topic read to them: the violation records must equal the denied checks audit on answered (warm-up included), with distinct ids and decisions, and nothing else.",
    "",
    "### Results",
    "",
    markdownTable(
      ["call", "audit", "calls/s", "checks/s", "checks/s per round", "p50 ms", "p99 ms", "server CPU s / 100k checks", "topic caught up (ms after round)", "on ÷ off checks/s", "on ÷ off CPU", "deny fraction"],
      rows,
    ),
    "",
    "### Audit trail verified",
    "",
    markdownTable(
      ["audit topic", "end offsets (records)", "violation records read", "distinct ids", "distinct decisions", "other records", "denied checks answered by audit on"],
      [[`\`${input.auditTopic}\``, int(c.endOffsets), int(c.violations), int(c.distinctIds), int(c.distinctDecisions), int(c.others), int(v.deniedAnswered)]],
    ),
    "",
    "### Goals",
    "",
    goalsTable(summary.goals),
    "",
    "### Notes",
    "",
    `- Per-round ratios on ÷ off (checks/s): unary ${summary.ratios.unary.perRound.map(ratio3).join(", ")}; stream ${summary.ratios.stream.perRound.map(ratio3).join(", ")}.`,
    `- Peak RSS of each service's process over the run: audit off ${dec(input.peakRssMiB.off)} MiB, audit on ${dec(input.peakRssMiB.on)} MiB, ` +
      `audit on + flows ${dec(input.peakRssMiB.flows)} MiB, audit on without the device flush ${dec(input.peakRssMiB.nofsync)} MiB.`,
  ];
  return out.join("\n");
}
