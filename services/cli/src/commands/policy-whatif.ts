import { DEFAULT_WHAT_IF_SINCE, type WhatIfEntryJson, type WhatIfInvalidJson, type WhatIfJson } from "@flowzone/control-service";
import { parseDurationMs } from "@flowzone/engine";
import { ControlClient } from "../control-client";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { writeJson } from "../json-output";
import { booleanFlag, parseFlags, stringFlag } from "../parse-flags";
import { relativeTime } from "../relative-time";
import { renderTable } from "../table";
import { UsageError } from "../usage-error";
import { bundleDirArg } from "./bundle-dir-arg";
import { bundleToSend } from "./bundle-to-send";

const COMMAND = "policy whatif";

/** The lists of an answer, in the order the summary shows them, with what each means. */
const LISTS = [
  ["newlyDenied", "newly denied", "allowed now, denied by the candidate"],
  ["newlyAllowed", "newly allowed", "denied now, allowed by the candidate"],
  ["opened", "opened", "violations the candidate has and the policy in force has not"],
  ["resolved", "resolved", "violations the policy in force has and the candidate has not"],
] as const;

/**
 * `flowzone policy whatif DIR [--since 7d] [--json]`: evaluates the bundle in DIR against every
 * flow the control plane inventoried in the window (`POST /v1/policy/whatif`) and says what it
 * would change, most traffic first. Exit 3 when it would newly deny (or refuse) any flow, so a
 * CI pipeline can stop a policy change on it; 0 when it would not.
 */
export async function policyWhatIf(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(args, { since: { type: "string" }, json: { type: "boolean" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  const dir = bundleDirArg(flags, COMMAND);
  const since = stringFlag(flags, "since") ?? DEFAULT_WHAT_IF_SINCE;
  const windowMs = parseDurationMs(since);
  if (windowMs === undefined || windowMs <= 0) throw new UsageError(`--since must be a positive duration such as 7d, 24h or 90m, not '${since}'`, COMMAND);
  const json = booleanFlag(flags, "json");
  const client = ControlClient.fromEnv(io.env, COMMAND);

  const files = await bundleToSend(dir, io, json, "nothing was evaluated");
  if (files === undefined) return ExitCode.failure;

  const answer = (await client.request("POST", "/v1/policy/whatif", { files, since })) as WhatIfJson;
  if (json) writeJson(io.stdout, answer);
  else io.stdout.write(renderWhatIf(dir, since, answer, new Date()));
  return answer.newlyDenied.length > 0 || answer.invalid.length > 0 ? ExitCode.wouldBreak : ExitCode.ok;
}

/** The summary (a count per list), then a table per non-empty list, then the verdict. */
function renderWhatIf(dir: string, since: string, answer: WhatIfJson, now: Date): string {
  const parts = [`${dir} against the policy in force, over ${answer.flowsEvaluated} inventoried flow${answer.flowsEvaluated === 1 ? "" : "s"} seen in the last ${since}:\n`];
  const counts = LISTS.map(([key, title, meaning]) => [title, String(answer[key].length), meaning]);
  counts.push(["invalid", String(answer.invalid.length), "flows the candidate cannot decide: they would be refused"]);
  parts.push(indent(renderTable(["LIST", "ENTRIES", "MEANING"], counts)));
  for (const [key, title, meaning] of LISTS) {
    if (answer[key].length > 0) parts.push(`\n${capitalise(title)} (${meaning}):\n${indent(entryTable(answer[key], now))}`);
  }
  if (answer.invalid.length > 0) parts.push(`\nInvalid (the candidate cannot decide these flows):\n${indent(invalidTable(answer.invalid, now))}`);
  const verdict = [
    ...(answer.flowsNewlyDenied > 0 ? [`${flows(answer.flowsNewlyDenied)} would be newly denied`] : []),
    ...(answer.invalid.length > 0 ? [`${flows(answer.invalid.length)} would be refused as undecidable`] : []),
  ];
  parts.push(verdict.length === 0 ? "\nNothing would be newly denied.\n" : `\n${capitalise(verdict.join("; "))}.\n`);
  return parts.join("");
}

function entryTable(entries: readonly WhatIfEntryJson[], now: Date): string {
  const rows = entries.map((e) => [e.zone, e.rule, ...flowCells(e, now)]);
  return renderTable(["ZONE", "RULE", "PRODUCER", "SINK", "LABELS", "SOURCES", "PURPOSE", "COUNT", "LAST SEEN"], rows);
}

function invalidTable(flows: readonly WhatIfInvalidJson[], now: Date): string {
  const rows = flows.map((f) => [...flowCells(f, now), f.error]);
  return renderTable(["PRODUCER", "SINK", "LABELS", "SOURCES", "PURPOSE", "COUNT", "LAST SEEN", "ERROR"], rows);
}

function flowCells(flow: Omit<WhatIfInvalidJson, "error">, now: Date): string[] {
  const or = (text: string): string => (text === "" ? "-" : text);
  return [flow.producer, flow.sink, or(flow.labels.join(",")), or(flow.sources.join(",")), or(flow.purpose), String(flow.count), relativeTime(flow.lastSeen, now)];
}

function flows(count: number): string {
  return `${count} flow${count === 1 ? "" : "s"}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
