/**
 * Renders results as Markdown into docs/benchmarks.md. Each benchmark owns one section between
 * `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` and rewrites only that section.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface Table {
  readonly title: string;
  readonly intro?: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Goal {
  readonly what: string;
  readonly measured: string;
  readonly target: string;
  readonly met: boolean;
}

export interface Report {
  readonly date: Date;
  readonly command: string;
  readonly machine: readonly string[];
  readonly method: readonly string[];
  readonly tables: readonly Table[];
  readonly goals: readonly Goal[];
  readonly notes: readonly string[];
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function goalsTable(goals: readonly Goal[]): string {
  return markdownTable(
    ["goal", "measured", "target", "met"],
    goals.map((g) => [g.what, g.measured, g.target, g.met ? "yes" : "**no**"]),
  );
}

export function renderReport(report: Report): string {
  const out: string[] = [
    "## Decision service and engine (`npm run bench:pdp`)",
    "",
    "Written by `npm run bench:pdp` (test/bench/pdp/main.ts); do not edit by hand, rerun it. Method and",
    "workload: test/bench/README.md (\"zones-20\"). Every system runs in the same run, on the same",
    "workload, with the same load generator; ratios are the numbers to quote, absolute numbers move",
    "with the machine.",
    "",
    `- Date: ${report.date.toISOString()}`,
    `- Command: \`${report.command}\``,
    ...report.machine.map((m) => `- ${m}`),
    "",
    "### Method",
    "",
    ...report.method.map((m) => `- ${m}`),
    "",
  ];
  for (const table of report.tables) {
    out.push(`### ${table.title}`, "");
    if (table.intro !== undefined) out.push(table.intro, "");
    out.push(markdownTable(table.header, table.rows), "");
  }
  out.push("### Goals", "", goalsTable(report.goals), "");
  if (report.notes.length > 0) out.push("### Notes", "", ...report.notes.map((n) => `- ${n}`), "");
  return out.join("\n");
}

/** The repository root, from test/bench/dist/common. */
export function repoRoot(): string {
  return resolve(__dirname, "..", "..", "..", "..");
}

const TITLE = "# Benchmarks";
/** Before sections had markers, the whole file was bench:pdp's report. */
const LEGACY_OWNER = "pdp";

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/**
 * `content` with the section of benchmark `name` replaced by `body`, or appended when absent;
 * everything outside that section's markers is kept. A file without any marker predates them:
 * its text (bench:pdp's whole report) becomes bench:pdp's section first, so nothing is lost.
 */
export function replaceSection(content: string, name: string, body: string): string {
  let text = content.trim();
  if (text !== "" && !text.includes("<!-- bench:")) {
    const legacy = text.startsWith(TITLE) ? text.slice(TITLE.length).trim() : text;
    const { start, end } = markers(LEGACY_OWNER);
    text = `${TITLE}\n\n${start}\n${legacy}\n${end}`;
  }
  if (text === "") text = TITLE;
  const { start, end } = markers(name);
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) return `${text.slice(0, from)}${section}${text.slice(to + end.length)}\n`;
  return `${text}\n\n${section}\n`;
}

/** Rewrites benchmark `name`'s own section of docs/benchmarks.md, leaving the others as they are. */
export function writeSection(name: string, body: string): string {
  const file = join(repoRoot(), "docs", "benchmarks.md");
  const content = existsSync(file) ? readFileSync(file, "utf8") : "";
  writeFileSync(file, replaceSection(content, name, body));
  return file;
}

export function writeReport(report: Report): string {
  return writeSection("pdp", renderReport(report));
}
