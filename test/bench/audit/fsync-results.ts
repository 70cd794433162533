/**
 * bench:audit's durability diagnostic: audit on as the service runs it (each answer waits for its
 * records' synchronized write, group commit) against the same service whose answers wait for the spool's
 * write only (page cache), so the run shows what the device flush costs and what the rest of the
 * audit trail costs without it.
 */
import type { Goal } from "../common/report";
import { markdownTable } from "../common/report";
import type { Call, Cell, CellSummary } from "./results";
import { CALL_NAME, summarizeCell } from "./results";
import { GOAL_RATIO, dec, int, ratio3 } from "./settings";

export interface FsyncSummary {
  readonly byCall: readonly { readonly call: Call; readonly off: CellSummary; readonly on: CellSummary; readonly noFsync: CellSummary }[];
  readonly topic: string;
  /** Records on its audit topic after the rounds, against the denied checks it answered. */
  readonly records: number;
  readonly owed: number;
}

export function summarizeFsync(cells: readonly Cell[], topic: string, records: number, owed: number): FsyncSummary {
  const cellOf = (server: Cell["server"], call: Call): CellSummary => {
    const cell = cells.find((c) => c.server === server && c.call === call);
    if (cell === undefined) throw new Error(`no cell ${server} ${call}`);
    return summarizeCell(cell);
  };
  const byCall = (["unary", "stream"] as const).map((call) => ({ call, off: cellOf("off", call), on: cellOf("on", call), noFsync: cellOf("nofsync", call) }));
  return { byCall, topic, records, owed };
}

/** What the diagnostic says of the goal: whether it holds without the device flush, which would then be what gives way. */
export function fsyncFindings(summary: FsyncSummary): readonly Goal[] {
  return summary.byCall.map((c) => ({
    what: `${CALL_NAME[c.call]}: checks/s audit on without the device flush ÷ audit off (diagnostic)`,
    measured: ratio3(c.noFsync.checksPerSec / c.off.checksPerSec),
    target: `≥ ${GOAL_RATIO}`,
    met: c.noFsync.checksPerSec / c.off.checksPerSec >= GOAL_RATIO,
  }));
}

/** The `### What the device flush costs` part of the section. */
export function renderFsync(summary: FsyncSummary): string {
  const findings = fsyncFindings(summary);
  return [
    "### What the device flush costs (diagnostic)",
    "",
    "- A fourth decision service, **audit on, no device flush**, runs beside the others, identical to audit on (its own fresh audit topic and spool, flow reporting off) " +
      "except that an answer waits for its audit records' write to the spool (the page cache: it survives the process, not the machine) rather than for their synchronized write (`O_DSYNC`: on the device when it returns). " +
      "The product always flushes; this service shows which of the two, durability or the goal, gives way and by how much.",
    "",
    markdownTable(
      ["call", "checks/s audit off", "checks/s audit on", "checks/s no device flush", "p50 ms on → no flush", "p99 ms on → no flush", "server CPU s / 100k checks on → no flush", "no flush ÷ off checks/s", "on ÷ no flush checks/s"],
      summary.byCall.map((c) => [
        CALL_NAME[c.call],
        int(c.off.checksPerSec),
        int(c.on.checksPerSec),
        int(c.noFsync.checksPerSec),
        `${dec(c.on.p50Ms)} → ${dec(c.noFsync.p50Ms)}`,
        `${dec(c.on.p99Ms)} → ${dec(c.noFsync.p99Ms)}`,
        `${dec(c.on.serverCpuPer100k)} → ${dec(c.noFsync.serverCpuPer100k)}`,
        ratio3(c.noFsync.checksPerSec / c.off.checksPerSec),
        ratio3(c.on.checksPerSec / c.noFsync.checksPerSec),
      ]),
    ),
    "",
    `- Its audit topic \`${summary.topic}\` held ${int(summary.records)} records after the rounds, for ${int(summary.owed)} denied checks answered.`,
    ...findings.map((f) => `- ${f.what}: ${f.measured} (goal ${f.target}: ${f.met ? "would be met" : "not met even so"}).`),
  ].join("\n");
}
