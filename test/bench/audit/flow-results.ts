/** bench:audit's flow reporting cost: audit on + flows against audit on (flow reporting off), and what the flows topic holds. */
import type { Goal } from "../common/report";
import { goalsTable, markdownTable } from "../common/report";
import type { FlowsTopicContents } from "./flows-check";
import type { Call, Cell, CellSummary } from "./results";
import { CALL_NAME, summarizeCell } from "./results";
import { GOAL_RATIO, dec, int, ratio3 } from "./settings";

export interface FlowsVerification {
  readonly topic: string;
  /** Checks audit on + flows answered, warm-up included. */
  readonly answered: number;
  readonly contents: FlowsTopicContents;
}

export interface FlowsSummary {
  readonly byCall: readonly { readonly call: Call; readonly without: CellSummary; readonly with: CellSummary; readonly off: CellSummary; readonly perRound: readonly number[] }[];
  readonly verification: FlowsVerification;
  /** The reports add up to every check answered. */
  readonly verified: boolean;
  readonly goals: readonly Goal[];
}

/** Medians of the audit off, audit on and audit on + flows cells, per call. */
export function summarizeFlows(cells: readonly Cell[], verification: FlowsVerification): FlowsSummary {
  const cellOf = (server: Cell["server"], call: Call): Cell => {
    const cell = cells.find((c) => c.server === server && c.call === call);
    if (cell === undefined) throw new Error(`no cell ${server} ${call}`);
    return cell;
  };
  const byCall = (["unary", "stream"] as const).map((call) => {
    const withFlows = cellOf("flows", call);
    const without = cellOf("on", call);
    return {
      call,
      without: summarizeCell(without),
      with: summarizeCell(withFlows),
      off: summarizeCell(cellOf("off", call)),
      perRound: withFlows.rounds.map((r, i) => r.res.checksPerSec / (without.rounds[i]?.res.checksPerSec ?? NaN)),
    };
  });
  const verified = verification.contents.decisions === verification.answered;
  const goals: Goal[] = [
    ...byCall.map((c) => ({
      what: `${CALL_NAME[c.call]}: checks/s audit on + flows ÷ audit off`,
      measured: ratio3(c.with.checksPerSec / c.off.checksPerSec),
      target: `≥ ${GOAL_RATIO}`,
      met: c.with.checksPerSec / c.off.checksPerSec >= GOAL_RATIO,
    })),
    {
      what: "decisions in the flow reports = checks answered by audit on + flows",
      measured: `${int(verification.contents.decisions)} = ${int(verification.answered)}`,
      target: "equal",
      met: verified,
    },
  ];
  return { byCall, verification, verified, goals };
}

/** The `### Flow reporting` part of the section. */
export function renderFlows(summary: FlowsSummary): string {
  const c = summary.verification.contents;
  return [
    "### Flow reporting on against off (issue 13)",
    "",
    "- A third decision service, **audit on + flows**, runs beside the two above, identical to audit on (its own fresh audit topic and spool) but reporting the flows it decides " +
      "every 5 s (the default `FLOWZONE_FLOW_REPORT_INTERVAL_MS`) to a fresh compacted flows topic; audit on runs with flow reporting off (`0`), so the table above measures the audit trail alone. " +
      "It takes its turn in every round with the others (the order rotates each round), on the same load.",
    "- After the rounds the services are closed (audit on + flows sends its last window) and the flows topic is read to its end offsets: the reports' counts must add up to every check audit on + flows answered (warm-up included).",
    "",
    markdownTable(
      ["call", "checks/s audit on (flows off)", "checks/s audit on + flows", "checks/s per round (+ flows)", "p50 ms (+ flows)", "p99 ms (+ flows)", "server CPU s / 100k checks (flows off → on)", "flows on ÷ off checks/s", "flows on ÷ off CPU", "+ flows ÷ audit off checks/s"],
      summary.byCall.map((row) => [
        CALL_NAME[row.call],
        int(row.without.checksPerSec),
        int(row.with.checksPerSec),
        row.with.perRound.map(int).join(" / "),
        dec(row.with.p50Ms),
        dec(row.with.p99Ms),
        `${dec(row.without.serverCpuPer100k)} → ${dec(row.with.serverCpuPer100k)}`,
        ratio3(row.with.checksPerSec / row.without.checksPerSec),
        ratio3(row.with.serverCpuPer100k / row.without.serverCpuPer100k),
        ratio3(row.with.checksPerSec / row.off.checksPerSec),
      ]),
    ),
    "",
    markdownTable(
      ["flows topic", "FlowReport records", "bytes (keys and values)", "distinct flows", "decisions reported", "checks answered by audit on + flows"],
      [[`\`${summary.verification.topic}\``, int(c.records), int(c.bytes), int(c.flows), int(c.decisions), int(summary.verification.answered)]],
    ),
    "",
    goalsTable(summary.goals),
    "",
    `- Per-round ratios flows on ÷ off (checks/s): ${summary.byCall.map((row) => `${row.call} ${row.perRound.map(ratio3).join(", ")}`).join("; ")}.`,
  ].join("\n");
}
