import type { FlowListJson } from "@flowzone/control-service";
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

const COMMAND = "flows";
const FILTERS = ["zone", "label", "sink", "producer"] as const;

/**
 * `flowzone flows [--zone Z] [--label L] [--sink S] [--producer P] [--since 7d] [--limit N] [--json]`:
 * the flow inventory, the organisation's data-flow map, most traffic first.
 */
export async function flows(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(
    args,
    { zone: { type: "string" }, label: { type: "string" }, sink: { type: "string" }, producer: { type: "string" }, since: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } },
    COMMAND,
  );
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  const [extra] = flags.positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}': filter with --zone, --label, --sink or --producer`, COMMAND);
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = stringFlag(flags, name);
    if (value?.trim() === "") throw new UsageError(`--${name} must not be empty`, COMMAND);
    if (value !== undefined) query.set(name, value);
  }
  const since = stringFlag(flags, "since");
  if (since !== undefined && !((parseDurationMs(since) ?? 0) > 0)) throw new UsageError(`--since must be a positive duration such as 7d, 24h or 90m, not '${since}'`, COMMAND);
  if (since !== undefined) query.set("since", since);
  const limit = stringFlag(flags, "limit");
  if (limit !== undefined && !/^[1-9]\d*$/.test(limit)) throw new UsageError(`--limit must be a positive integer, not '${limit}'`, COMMAND);
  if (limit !== undefined) query.set("limit", limit);

  const client = ControlClient.fromEnv(io.env, COMMAND);
  const body = (await client.request("GET", `/v1/flows${query.size === 0 ? "" : `?${query.toString()}`}`)) as FlowListJson;
  if (booleanFlag(flags, "json")) {
    writeJson(io.stdout, body);
    return ExitCode.ok;
  }
  if (body.flows.length === 0) {
    io.stdout.write(`no flows seen since ${body.window.since}\n`);
    return ExitCode.ok;
  }
  const now = new Date();
  const list = (items: readonly string[]): string => (items.length === 0 ? "-" : items.join(","));
  const rows = body.flows.map((f) => [
    String(f.count),
    f.producer,
    f.sink,
    list(f.labels),
    list(f.sources),
    f.purpose === "" ? "-" : f.purpose,
    list(f.zones),
    relativeTime(f.lastSeen, now),
  ]);
  io.stdout.write(renderTable(["COUNT", "PRODUCER", "SINK", "LABELS", "SOURCES", "PURPOSE", "ZONES", "LAST SEEN"], rows));
  return ExitCode.ok;
}
