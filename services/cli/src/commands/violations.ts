import type { ViolationJson } from "@flowzone/control-service";
import { ControlClient } from "../control-client";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { writeJson } from "../json-output";
import { booleanFlag, parseFlags, stringFlag } from "../parse-flags";
import { relativeTime } from "../relative-time";
import { renderTable } from "../table";
import { UsageError } from "../usage-error";

const COMMAND = "violations";
const STATUSES: readonly string[] = ["open", "resolved", "all"];

/**
 * `flowzone violations ZONE [--status open|resolved|all] [--limit N] [--json]`: a zone's
 * backlog, open signatures by default since those are what block enforcement.
 */
export async function violations(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(args, { status: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  const [zone, ...extra] = flags.positionals;
  if (zone === undefined) throw new UsageError("missing ZONE: the zone whose violations to list", COMMAND);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}': give one ZONE`, COMMAND);
  const status = stringFlag(flags, "status") ?? "open";
  if (!STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, not '${status}'`, COMMAND);
  const limit = stringFlag(flags, "limit");
  if (limit !== undefined && !/^[1-9]\d*$/.test(limit)) throw new UsageError(`--limit must be a positive integer, not '${limit}'`, COMMAND);

  const query = new URLSearchParams({ status, ...(limit === undefined ? {} : { limit }) });
  const client = ControlClient.fromEnv(io.env, COMMAND);
  const body = (await client.request("GET", `/v1/zones/${encodeURIComponent(zone)}/violations?${query.toString()}`)) as { violations: ViolationJson[] };
  if (booleanFlag(flags, "json")) {
    writeJson(io.stdout, body);
    return ExitCode.ok;
  }
  if (body.violations.length === 0) {
    io.stdout.write(`no ${status === "all" ? "" : `${status} `}violations in zone ${zone}\n`);
    return ExitCode.ok;
  }
  const now = new Date();
  const rows = body.violations.map((v) => [
    v.id,
    v.rule,
    v.producer,
    v.sink,
    v.labels.join(","),
    String(v.count),
    v.resolution === null ? v.status : `${v.status} (${v.resolution})`,
    String(v.reopened),
    relativeTime(v.firstSeen, now),
    relativeTime(v.lastSeen, now),
  ]);
  io.stdout.write(renderTable(["ID", "RULE", "PRODUCER", "SINK", "LABELS", "COUNT", "STATUS", "REOPENED", "FIRST SEEN", "LAST SEEN"], rows));
  return ExitCode.ok;
}
