import type { RedriveJson } from "@flowzone/control-service";
import { parseDurationMs } from "@flowzone/engine";

import { ControlClient } from "../control-client";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { writeJson } from "../json-output";
import { booleanFlag, parseFlags, stringFlag } from "../parse-flags";
import { renderTable } from "../table";
import { UsageError } from "../usage-error";

/** `flowzone quarantine redrive ROUTE [--violation ID | --since TIME] [--json]`. */
export async function quarantine(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  if (sub === "redrive") return redrive(rest, io);
  if (sub === undefined) throw new UsageError("missing quarantine command: redrive", "quarantine");
  if (sub === "--help" || sub === "-h") return printHelp("quarantine", io);
  throw new UsageError(`unknown quarantine command '${sub}': use redrive`, "quarantine");
}

/**
 * Asks the control plane to re-drive a route's quarantined records and prints what it did. It
 * answers when the re-drive is done, so a line on stderr says it started.
 */
async function redrive(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const command = "quarantine redrive";
  const flags = parseFlags(args, { violation: { type: "string" }, since: { type: "string" }, json: { type: "boolean" } }, command);
  if (flags.help) return printHelp(command, io);
  const [route, ...extra] = flags.positionals;
  if (route === undefined) throw new UsageError("missing ROUTE: the enforcer route whose quarantine to re-drive", command);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}': give one ROUTE`, command);
  const violation = stringFlag(flags, "violation");
  const since = stringFlag(flags, "since");
  if (violation !== undefined && since !== undefined) throw new UsageError("give --violation or --since, not both", command);
  const body = violation !== undefined ? { violation } : since !== undefined ? { since: sinceTime(since, new Date(), command) } : {};
  const client = ControlClient.fromEnv(io.env, command);
  io.stderr.write(`flowzone ${command}: re-driving route ${route}; this answers when every quarantined record was examined\n`);
  const result = (await client.request("POST", `/v1/routes/${encodeURIComponent(route)}/redrive`, body)) as RedriveJson;
  if (booleanFlag(flags, "json")) {
    writeJson(io.stdout, result);
    return ExitCode.ok;
  }
  const counts = [result.examined, result.redriven, result.alreadyRedriven, result.stillDenied, result.unreadable, result.skipped].map(String);
  io.stdout.write(renderTable(["ROUTE", "EXAMINED", "REDRIVEN", "ALREADY REDRIVEN", "STILL DENIED", "UNREADABLE", "SKIPPED"], [[result.route, ...counts]]));
  return ExitCode.ok;
}

/** `--since`: an RFC 3339 time as is (the control plane checks it strictly), or a duration ago (`90m`, `7d`) as one. */
function sinceTime(text: string, now: Date, command: string): string {
  const agoMs = parseDurationMs(text);
  if (agoMs !== undefined) return new Date(now.getTime() - agoMs).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T/i.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`--since must be an RFC 3339 time such as 2030-01-31T12:00:00Z or a duration ago such as 90m or 7d, not '${text}'`, command);
  }
  return text;
}

function printHelp(command: string, io: CliIo): ExitCode {
  io.stdout.write(helpText(command) ?? "");
  return ExitCode.ok;
}
