// docs/reference/configuration.md and the settings tables of cli.md are written by hand from the
// settings each long-running command declares (the declarations its --help is generated from);
// this keeps them in step: every setting has its row (flag, variable, default, and in
// configuration.md the declared description word for word), no row names a setting the command
// does not have, and every variable the pages mention is read by a declaration, the control-plane
// client, the SDK, kafka-local or the test harness.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { CONTROL_SETTINGS } from "@flowzone/control-service";
import { ENFORCER_SETTINGS } from "@flowzone/enforcer";
import { DECISION_SERVICE_SETTINGS } from "@flowzone/pdp";
import type { Setting } from "@flowzone/service-kit";

import { CLIENT_SETTINGS, DEFAULT_CONTROL_URL } from "../../services/cli/src/control-client";
import { DEV_SETTINGS } from "../../services/cli/src/dev/dev-settings";
import { logSettings } from "../../services/cli/src/log-settings";

const ROOT = path.join(__dirname, "..", "..");
const DOCS = path.join(ROOT, "docs", "reference");
const CONFIGURATION = readFileSync(path.join(DOCS, "configuration.md"), "utf8");
const CLI = readFileSync(path.join(DOCS, "cli.md"), "utf8");

type Settings = Readonly<Record<string, Setting<unknown>>>;

/** Each long-running command's settings, as its command reads them (log levels as in services/cli/src/commands/*.ts). */
const COMMANDS: readonly (readonly [string, Settings])[] = [
  ["pdp", { ...DECISION_SERVICE_SETTINGS, ...logSettings("info") }],
  ["control", { ...CONTROL_SETTINGS, ...logSettings("info") }],
  ["enforcer", { ...ENFORCER_SETTINGS, ...logSettings("info") }],
  ["dev", { ...DEV_SETTINGS, ...logSettings("warn") }],
];

/** The control-plane client: the variables it reads are listed under "Client commands". */
const CLIENT_SOURCE = path.join(ROOT, "services", "cli", "src", "control-client.ts");

/** `env.NAME`, `env["NAME"]`: a variable read straight from the environment. */
const ENV_READ = /\benv(?:\.([A-Z][A-Z0-9_]*)\b|\[\s*["'`]([A-Z][A-Z0-9_]*)["'`]\s*\])/g;
const MENTIONED = /\b(?:FLOWZONE_[A-Z0-9_]+|DATABASE_URL)\b/g;
const NONE = "—";

interface Row {
  readonly text: string;
  /** Cells by their column's header. */
  readonly cells: Readonly<Record<string, string>>;
}

/** The text under `## heading`, up to the next `## `. */
function section(doc: string, heading: string): string {
  const start = doc.split("\n").findIndex((line) => line.trim() === `## ${heading}`);
  if (start === -1) return "";
  const lines = doc.split("\n").slice(start + 1);
  const end = lines.findIndex((line) => line.startsWith("## "));
  return (end === -1 ? lines : lines.slice(0, end)).join("\n");
}

function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** Every row of every Markdown table in `text`, keyed by the table's headers. */
function tableRows(text: string): Row[] {
  const lines = text.split("\n");
  const rows: Row[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!line.startsWith("|") || !/^\|\s*-/.test(lines[i + 1] ?? "")) continue;
    const headers = cellsOf(line);
    let j = i + 2;
    for (; j < lines.length && (lines[j] ?? "").startsWith("|"); j++) {
      const cells = cellsOf(lines[j] ?? "");
      rows.push({ text: lines[j] ?? "", cells: Object.fromEntries(headers.map((header, k) => [header, cells[k] ?? ""])) });
    }
    i = j - 1;
  }
  return rows;
}

/** A cell as a reader sees it: without code marks and escapes. */
function plain(cell: string | undefined): string {
  return (cell ?? "").replace(/`/g, "").replace(/\\\|/g, "|").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim();
}

function flagOf(row: Row): string {
  return plain(row.cells["Flag"] ?? NONE).split(/\s+/)[0] ?? "";
}

function variableOf(row: Row): string {
  return plain(row.cells["Variable"]);
}

function isRequired(setting: Setting<unknown>): boolean {
  try {
    setting.resolve(undefined);
    return false;
  } catch {
    return true;
  }
}

/** What is wrong with the rows of one command's section, as readable lines. */
function problems(rows: readonly Row[], settings: Settings, where: string, withDescriptions: boolean): string[] {
  const found: string[] = [];
  const matched = new Set<Row>();
  for (const setting of Object.values(settings)) {
    const flag = setting.flag === undefined ? NONE : `--${setting.flag}`;
    const variable = setting.env ?? NONE;
    const name = `${where}: ${flag} / ${variable}`;
    const candidates = rows.filter((row) => flagOf(row) === flag && variableOf(row) === variable);
    const row = candidates[0];
    if (row === undefined || candidates.length > 1) {
      found.push(`${name}: ${row === undefined ? "no row" : "more than one row"}`);
      continue;
    }
    matched.add(row);
    const defaultCell = plain(row.cells["Default"]);
    if (setting.defaultText !== undefined) {
      if (defaultCell !== setting.defaultText) found.push(`${name}: default is "${setting.defaultText}", the row says "${defaultCell}"`);
    } else if (isRequired(setting)) {
      if (defaultCell !== "required") found.push(`${name}: the setting is required, the row says "${defaultCell}"`);
    } else if (!defaultCell.startsWith("unset")) {
      found.push(`${name}: the setting has no default; its default cell must start with "unset", not "${defaultCell}"`);
    }
    if (withDescriptions && plain(row.cells["What it sets"]) !== setting.description) {
      found.push(`${name}: description differs from the declaration: "${setting.description}"`);
    }
  }
  for (const row of rows) if (!matched.has(row)) found.push(`${where}: row of no declared setting: ${row.text}`);
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name === "dist" ? [] : tsFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

function variablesRead(files: readonly string[]): Set<string> {
  const read = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, "utf8").matchAll(ENV_READ)) read.add(match[1] ?? match[2] ?? "");
  }
  return read;
}

const clientVariables = new Set(Object.values(CLIENT_SETTINGS).map((setting) => setting.env ?? ""));

describe("the configuration reference", () => {
  it.each(COMMANDS)("lists every setting of flowzone %s with its flag, variable, default and description", (command, settings) => {
    const rows = tableRows(section(CONFIGURATION, `flowzone ${command}`));
    expect(problems(rows, settings, `configuration.md, flowzone ${command}`, true)).toEqual([]);
  });

  it.each(COMMANDS)("cli.md lists every setting of flowzone %s with its flag, variable and default", (command, settings) => {
    const rows = tableRows(section(CLI, `flowzone ${command}`));
    expect(problems(rows, settings, `cli.md, flowzone ${command}`, false)).toEqual([]);
  });

  it("lists every variable the control-plane client reads, and only those, under Client commands", () => {
    const rows = tableRows(section(CONFIGURATION, "Client commands"));
    const documented = rows.map(variableOf);
    expect(clientVariables.size).toBeGreaterThan(0);
    expect([...clientVariables].filter((name) => !documented.includes(name))).toEqual([]);
    expect(documented.filter((name) => !clientVariables.has(name))).toEqual([]);
    const url = rows.find((row) => variableOf(row) === "FLOWZONE_CONTROL_URL");
    expect(plain(url?.cells["Default"])).toBe(DEFAULT_CONTROL_URL);
  });

  it("mentions no variable that nothing reads", () => {
    const declared = new Set([...COMMANDS.flatMap(([, settings]) => Object.values(settings).map((setting) => setting.env ?? "")), ...clientVariables]);
    const codeFiles = [CLIENT_SOURCE, ...tsFiles(path.join(ROOT, "packages", "sdk", "src")), ...tsFiles(path.join(ROOT, "packages", "kafka-local", "src")), ...tsFiles(path.join(ROOT, "test")).filter((file) => !file.startsWith(__dirname))];
    const read = variablesRead(codeFiles);
    const unread = (doc: string): string[] => [...new Set(doc.match(MENTIONED) ?? [])].filter((name) => !declared.has(name) && !read.has(name));
    expect({ "configuration.md": unread(CONFIGURATION), "cli.md": unread(CLI) }).toEqual({ "configuration.md": [], "cli.md": [] });
  });
});
