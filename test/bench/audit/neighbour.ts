/**
 * bench:audit's machine limit: audit off answering the stream's load again while a neighbour process puts
 * the audit records the goal would owe on Kafka (0.9 of audit off's checks/s in the same round ×
 * the deny fraction, a second). Nothing of that trail runs on the service's thread; what it costs
 * is the machine's two cores, shared by the service, the load generator, the broker and the
 * neighbour. Where audit off beside it keeps less than the goal's share of its own checks/s, no
 * trail sending with kafkajs reaches the goal on this machine, on any thread or in any process:
 * answering more would owe still more records.
 */
import { join } from "node:path";

import type { Child } from "../common/children";
import { startChild } from "../common/children";
import type { RunResult } from "../common/load-generator";
import { markdownTable } from "../common/report";
import { median } from "../common/stats";
import type { NeighbourConfig, NeighbourMode, NeighbourStretch } from "./child-protocol";
import type { Call, CellSummary } from "./results";
import { CALL_NAME } from "./results";
import { GOAL_RATIO, dec, int, ratio3 } from "./settings";

export interface Neighbour {
  readonly mode: NeighbourMode;
  readonly topic: string;
  readonly child: Child;
  /** Puts `perSecond` records a second on the topic for `ms`; resolves with what it did once the stretch ends. */
  stretch(perSecond: number, ms: number): Promise<NeighbourStretch>;
}

export const NEIGHBOUR_NAME: Record<NeighbourMode, string> = {
  kafkajs: "a bare kafkajs producer",
  writer: "the audit writer",
};

export async function startNeighbour(config: NeighbourConfig): Promise<Neighbour> {
  const waiting: { resolve: (s: NeighbourStretch) => void; reject: (e: Error) => void }[] = [];
  const { child } = await startChild(
    `neighbour (${config.mode})`,
    process.execPath,
    [join(__dirname, "neighbour-child.js"), JSON.stringify(config)],
    (line) => {
      if (line.startsWith('{"neighbourStretch"')) waiting.shift()?.resolve(JSON.parse(line) as NeighbourStretch);
      return line.startsWith('{"neighbourReady"') ? true : undefined;
    },
    90_000,
  );
  child.process.on("exit", (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`neighbour (${config.mode}) exited (${code ?? signal ?? "?"}) during a stretch\n${child.log.join("\n")}`));
  });
  return {
    mode: config.mode,
    topic: config.topic,
    child,
    stretch(perSecond, ms) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.process.stdin?.write(`${Math.round(perSecond)} ${Math.round(ms)}\n`);
      });
    },
  };
}

/** One round of audit off beside a neighbour, and audit off's own round it is set against. */
export interface NeighbourRound {
  readonly call: Call;
  readonly mode: NeighbourMode;
  readonly aloneChecksPerSec: number;
  readonly perSecond: number;
  readonly res: RunResult;
  readonly stretch: NeighbourStretch;
  readonly seconds: number;
}

interface NeighbourSummary {
  readonly call: Call;
  readonly mode: NeighbourMode;
  readonly aloneChecksPerSec: number;
  readonly perSecond: number;
  readonly besideChecksPerSec: number;
  readonly perRound: readonly number[];
  readonly ratio: number;
  readonly sentPerSec: number;
  readonly cpuPer100k: number;
}

function summarize(rounds: readonly NeighbourRound[]): NeighbourSummary[] {
  const out: NeighbourSummary[] = [];
  for (const call of ["unary", "stream"] as const) {
    for (const mode of ["kafkajs", "writer"] as const) {
      const rs = rounds.filter((r) => r.call === call && r.mode === mode);
      if (rs.length === 0) continue;
      const perRound = rs.map((r) => r.res.checksPerSec / r.aloneChecksPerSec);
      out.push({
        call,
        mode,
        aloneChecksPerSec: median(rs.map((r) => r.aloneChecksPerSec)),
        perSecond: median(rs.map((r) => r.perSecond)),
        besideChecksPerSec: median(rs.map((r) => r.res.checksPerSec)),
        perRound,
        ratio: median(perRound),
        sentPerSec: median(rs.map((r) => r.stretch.sent / r.seconds)),
        cpuPer100k: median(rs.map((r) => (r.stretch.cpuSeconds / Math.max(1, r.stretch.offered)) * 100_000)),
      });
    }
  }
  return out;
}

/** What the limit says of the goal, per call and neighbour: reachable on this machine or not. */
export function neighbourFindings(rounds: readonly NeighbourRound[]): string[] {
  return summarize(rounds).map((s) => {
    const low = Math.min(...s.perRound);
    const high = Math.max(...s.perRound);
    return (
      `${CALL_NAME[s.call]}: audit off beside ${NEIGHBOUR_NAME[s.mode]} sending the records the goal owes keeps ${ratio3(s.ratio)} of its checks/s ` +
      `(rounds ${ratio3(low)} to ${ratio3(high)}; ${s.ratio >= GOAL_RATIO ? `the goal of ${GOAL_RATIO} is within this machine's reach` : `below the goal of ${GOAL_RATIO}: the goal lies beyond what this machine leaves`})`
    );
  });
}

/** The `### What the machine leaves for any audit trail` part of the section. */
export function renderNeighbour(rounds: readonly NeighbourRound[], pairs: readonly { readonly off: CellSummary; readonly on: CellSummary }[]): string {
  const measured = (call: Call): string => {
    const pair = pairs.find((p) => p.on.call === call);
    return pair === undefined ? "–" : ratio3(pair.on.checksPerSec / pair.off.checksPerSec);
  };
  return [
    "### What the machine leaves for any audit trail (the limit, side by side)",
    "",
    `- To keep ${GOAL_RATIO} of audit off's checks/s, audit on must put ${GOAL_RATIO} × audit off's checks/s × the deny fraction audit records a second on its topic. ` +
      "In every round, after the four services' cells under the stream (the call whose goal is missed; unary's calls wait for their answers, not for the machine), " +
      "audit off answers the same load again while a **neighbour** process puts that many of audit on's records a second (sampled from its warm-up) on a fresh topic, " +
      "the records coming due every 5 ms: once **a bare kafkajs producer** with the audit writer's settings and batching (idempotent, acks from all in-sync replicas, one batch in flight, " +
      "a batch sent at 500 records or once its first has waited 50 ms: the cheapest way to send them with kafkajs), once **the audit writer** (spool, device flush, group commit: " +
      "the trail as built, moved off the service's thread). The rate is set from audit off's cell of the same round.",
    "- Nothing of that trail runs on the service's thread. What it costs is the machine's: two cores shared by the service, the load generator, the broker and the neighbour. " +
      `Where audit off beside it keeps less than ${GOAL_RATIO} of its checks/s, no audit trail that sends with kafkajs reaches the goal on this machine, on the service's thread, ` +
      "a worker's or another process's: answering more checks would owe still more records.",
    "",
    markdownTable(
      ["call", "neighbour", "audit off alone checks/s", "records/s the goal owes", "neighbour's records/s acknowledged", "neighbour CPU s / 100k records", "audit off beside it checks/s", "÷ alone per round", "÷ alone (limit)", "audit on ÷ off (measured)"],
      summarize(rounds).map((s) => [
        CALL_NAME[s.call],
        NEIGHBOUR_NAME[s.mode],
        int(s.aloneChecksPerSec),
        int(s.perSecond),
        int(s.sentPerSec),
        dec(s.cpuPer100k),
        int(s.besideChecksPerSec),
        s.perRound.map(ratio3).join(" / "),
        ratio3(s.ratio),
        measured(s.call),
      ]),
    ),
    "",
    ...neighbourFindings(rounds).map((f) => `- ${f}.`),
  ].join("\n");
}
