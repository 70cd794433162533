import { flowsSeenInGuardWindow } from "@flowzone/control";
import type { FlippedZoneJson, ZoneDetailJson, ZoneJson } from "@flowzone/control-service";
import { ControlClient } from "../control-client";
import { drainCell } from "../drain-text";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { writeJson } from "../json-output";
import { booleanFlag, parseFlags, stringFlag } from "../parse-flags";
import { relativeTime } from "../relative-time";
import { renderTable } from "../table";
import { UsageError } from "../usage-error";
import { renderZoneDetail } from "./zone-detail";

const MODES: readonly string[] = ["enforcement", "logging", "off"];

/**
 * `flowzone zones [list] | status ZONE | flip ZONE --to MODE --reason TEXT [--force]`: the
 * control plane's zones for people (tables, relative times) and scripts (`--json`, the API's
 * JSON as is). Request errors exit 1 with the API's sentence; a refused flip lists every blocker.
 */
export async function zones(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const [sub, ...rest] = args;
  switch (sub) {
    case undefined:
    case "list":
      return zonesList(rest, io);
    case "status":
      return zonesStatus(rest, io);
    case "flip":
      return zonesFlip(rest, io);
    default:
      if (sub === "--json") return zonesList(args, io);
      if (sub === "--help" || sub === "-h") return printHelp("zones", io);
      throw new UsageError(`unknown zones command '${sub}': use list, status or flip`, "zones");
  }
}

async function zonesList(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const command = "zones list";
  const flags = parseFlags(args, { json: { type: "boolean" } }, command);
  if (flags.help) return printHelp(command, io);
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, command);
  const body = (await ControlClient.fromEnv(io.env, command).request("GET", "/v1/zones")) as { zones: ZoneJson[] };
  if (booleanFlag(flags, "json")) {
    writeJson(io.stdout, body);
    return ExitCode.ok;
  }
  if (body.zones.length === 0) {
    io.stdout.write("no zones: push a policy bundle with 'flowzone policy push DIR'\n");
    return ExitCode.ok;
  }
  const now = new Date();
  const rows = body.zones.map((z) => [
    z.name,
    z.mode,
    z.effectiveMode,
    z.failMode,
    String(z.openViolations),
    String(z.violationsNotStored),
    relativeTime(z.lastViolationAt, now),
    yesNo(z.drained),
    yesNo(z.readyToEnforce),
    drainCell(z.drain, now),
    z.owners.join(","),
  ]);
  io.stdout.write(renderTable(["ZONE", "MODE", "EFFECTIVE", "FAIL MODE", "OPEN", "NOT STORED", "LAST VIOLATION", "DRAINED", "READY", "DRAINS", "OWNERS"], rows));
  return ExitCode.ok;
}

async function zonesStatus(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const command = "zones status";
  const flags = parseFlags(args, { json: { type: "boolean" } }, command);
  if (flags.help) return printHelp(command, io);
  const zone = zoneArg(flags.positionals, command);
  const detail = (await ControlClient.fromEnv(io.env, command).request("GET", `/v1/zones/${encodeURIComponent(zone)}`)) as ZoneDetailJson;
  if (booleanFlag(flags, "json")) writeJson(io.stdout, detail);
  else io.stdout.write(renderZoneDetail(detail, new Date()));
  return ExitCode.ok;
}

async function zonesFlip(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const command = "zones flip";
  const flags = parseFlags(args, { to: { type: "string" }, reason: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } }, command);
  if (flags.help) return printHelp(command, io);
  const zone = zoneArg(flags.positionals, command);
  const to = stringFlag(flags, "to");
  if (to === undefined) throw new UsageError(`missing --to MODE: one of ${MODES.join(", ")}`, command);
  if (!MODES.includes(to)) throw new UsageError(`--to must be one of ${MODES.join(", ")}, not '${to}'`, command);
  const reason = stringFlag(flags, "reason");
  if (reason === undefined || reason.trim() === "") throw new UsageError("missing --reason TEXT: say why; it is recorded in the zone's history", command);
  const force = booleanFlag(flags, "force");
  const client = ControlClient.fromEnv(io.env, command);
  const updated = (await client.request("POST", `/v1/zones/${encodeURIComponent(zone)}/flip`, { to, reason, force })) as FlippedZoneJson;
  if (booleanFlag(flags, "json")) {
    writeJson(io.stdout, updated);
    return ExitCode.ok;
  }
  const effective = updated.effectiveMode === updated.mode ? "" : ` (effective ${updated.effectiveMode}: the master switch is off)`;
  io.stdout.write(`zone ${updated.name} is now in ${updated.mode} mode${effective}${force ? "; recorded as forced" : ""}\n`);
  if (to === "enforcement") io.stdout.write(`  newly denied: ${flowsSeenInGuardWindow(updated.flowsNewlyDenied)}\n`);
  return ExitCode.ok;
}

function zoneArg(positionals: readonly string[], command: string): string {
  const [zone, ...extra] = positionals;
  if (zone === undefined) throw new UsageError("missing ZONE: the zone's name (see 'flowzone zones')", command);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ""}': give one ZONE`, command);
  return zone;
}

function printHelp(command: string, io: CliIo): ExitCode {
  io.stdout.write(helpText(command) ?? "");
  return ExitCode.ok;
}

/** A boolean in a table cell. */
export function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}
