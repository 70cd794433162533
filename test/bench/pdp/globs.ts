/**
 * Decide time for long sinks against multi-star globs (issue 9, item 3): PolicyEngine.decide in
 * process, beside the engine's former RegExp matcher on the same sinks. Writes its own section of
 * docs/benchmarks.md (`pdp-globs`), from a full bench:pdp run or from `--globs-only`.
 */
import { cpus, loadavg } from "node:os";
import type { Table } from "../common/report";
import { markdownTable, writeSection } from "../common/report";
import { median } from "../common/stats";
import type { GlobCase, SinkShape } from "./glob-cases";
import { globCases, oldRegExp, sinkOf, writeTo } from "./glob-cases";
import { dec, int, nproc, progress } from "./settings";

const KB = 1024;
/** Sink lengths in characters (asset ids are ASCII, so bytes too). */
const SIZES = [1 * KB, 2 * KB, 4 * KB, 16 * KB, 64 * KB, 1024 * KB];
/** The old RegExp is not run at a size its measured growth projects beyond this, per evaluation. */
const BEFORE_BUDGET_MS = 2000;

interface Figure {
  readonly medianMs: number;
  readonly perRound: readonly number[];
}

interface Row {
  readonly caseName: string;
  readonly shape: string;
  readonly size: number;
  readonly after: Figure;
  /** Measured, or projected (not run) from the growth between the smallest and largest measured sizes. */
  readonly before: Figure | { readonly projectedMs: number; readonly exponent: number };
}

/** Times `run(round)` once per round after one untimed warm-up; each round uses a fresh sink. */
function measure(rounds: number, run: (round: number) => void): Figure {
  run(0);
  const perRound: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const t0 = performance.now();
    run(r);
    perRound.push(performance.now() - t0);
  }
  return { medianMs: median(perRound), perRound };
}

function measureShape(c: GlobCase, shape: SinkShape, rounds: number): Row[] {
  const regExps = c.patternLists.map(oldRegExp);
  const rows: Row[] = [];
  const measured: { size: number; ms: number }[] = [];
  for (const size of SIZES) {
    // Sinks are built before timing; a new variant per round misses the engine's sink memo.
    const sinks = Array.from({ length: rounds + 1 }, (_, r) => sinkOf(shape, size, r));
    const after = measure(rounds, (r) => {
      if (c.engine.decide(writeTo(sinks[r] ?? "")).allow) throw new Error(`${c.name}: a ${size}-character sink was allowed; every pattern should miss it`);
    });
    let before: Row["before"];
    const first = measured[0];
    const last = measured[measured.length - 1];
    const exponent = first !== undefined && last !== undefined && last.size > first.size ? Math.log(last.ms / first.ms) / Math.log(last.size / first.size) : 3;
    const projectedMs = last === undefined ? 0 : last.ms * (size / last.size) ** Math.max(exponent, 1);
    if (projectedMs > BEFORE_BUDGET_MS) {
      before = { projectedMs, exponent };
    } else {
      before = measure(rounds, (r) => {
        for (const regExp of regExps) if (regExp.test(sinks[r] ?? "")) throw new Error(`${c.name}: the old RegExp matched a sink it should miss`);
      });
      measured.push({ size, ms: before.medianMs });
    }
    rows.push({ caseName: c.name, shape: shape.name, size, after, before });
    progress(`globs: ${c.name.slice(0, 32)}…, ${shape.name}, ${int(size)} characters: decide ${dec(after.medianMs, 3)} ms, old RegExp ${beforeCell(before)}`);
  }
  return rows;
}

function beforeCell(before: Row["before"]): string {
  if ("medianMs" in before) return `${dec(before.medianMs, 3)} ms`;
  return `not run: extrapolated ${projection(before.projectedMs)} (n^${dec(before.exponent, 1)})`;
}

function projection(ms: number): string {
  if (ms < 60_000) return `${dec(ms / 1000, 1)} s`;
  if (ms < 3_600_000) return `${dec(ms / 60_000, 0)} min`;
  if (ms < 86_400_000) return `${dec(ms / 3_600_000, 1)} h`;
  return `${int(ms / 86_400_000)} days`;
}

export function runGlobBench(rounds: number): Table {
  const rows = globCases().flatMap((c) => c.shapes.flatMap((shape) => measureShape(c, shape, rounds)));
  return {
    title: "C. Long sinks against multi-star globs (in process, one thread)",
    intro:
      `Median of ${rounds} rounds after one warm-up, one decision per round, each round a new sink (the engine memoises matches per sink). ` +
      "After: `PolicyEngine.decide` end to end (sink validation, matching, the boundary violation and its reason); every sink is denied, no pattern matches it. " +
      "Before: the engine's former matcher alone, one anchored RegExp per pattern list (`*` as `.*`, kept in test/bench/pdp/glob-cases.ts), tested on the same sinks against every list decide evaluates; " +
      `it backtracks, so a size is not run when the growth measured between the smallest and largest sizes run (n^k) extrapolates it beyond ${dec(BEFORE_BUDGET_MS / 1000, 0)} s. ` +
      "Sinks: `kafka:r<round>-`, a repeated unit, an end. *Near misses, wrong end*: units `-a--b-` (three-glob zone: `-a--b-.x..y._p__q_-d-`) and end `x`, the RegExp's worst case. " +
      "*Right end, no -b-*: units `-a-` (three-glob zone: `-a-.x..y._p__q_-d-`) and end `-c`, so the new matcher scans the whole sink for `-b-`.",
    header: ["case", "sink", "sink characters", "after: decide ms", "after per round ms", "before: old RegExp ms", "before ÷ after"],
    rows: rows.map((row) => [
      row.caseName,
      row.shape,
      int(row.size),
      dec(row.after.medianMs, 3),
      row.after.perRound.map((ms) => dec(ms, 3)).join(" / "),
      beforeCell(row.before),
      "medianMs" in row.before ? `${int(row.before.medianMs / row.after.medianMs)}×` : "n/a",
    ]),
  };
}

/** Prints the table and, unless `write` is false, rewrites the `pdp-globs` section of docs/benchmarks.md. */
export function reportGlobBench(table: Table, date: Date, command: string, write: boolean): void {
  const body = [
    "## Long sinks against multi-star globs (`npm run bench:pdp`)",
    "",
    "Written by `npm run bench:pdp` (every full run, or `npm run bench:pdp -- --globs-only`; test/bench/pdp/globs.ts); do not edit by hand, rerun it.",
    "",
    `- Date: ${date.toISOString()}`,
    `- Command: \`${command}\``,
    `- Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}; Node ${process.version}`,
    "",
    `### ${table.title}`,
    "",
    table.intro ?? "",
    "",
    markdownTable(table.header, table.rows),
    "",
  ].join("\n");
  process.stdout.write(`\n${table.title}\n${markdownTable(table.header, table.rows)}\n`);
  if (write) progress(`wrote ${writeSection("pdp-globs", body)}`);
  else progress("--no-write: the pdp-globs section of docs/benchmarks.md left alone");
}
