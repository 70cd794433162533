import { parseArgs } from "node:util";

import type { SettingInfo } from "@flowzone/service-kit";

import { UsageError } from "./usage-error";

/** The flags a command accepts, in `util.parseArgs` form (`--help`/`-h` is added to every command). */
export type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Parsed flags (absent ones are undefined) and the positional arguments, in order. */
export interface ParsedFlags {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly help: boolean;
}

/**
 * Parses a command's arguments strictly: an unknown flag or a flag without its value becomes a
 * {@link UsageError} naming `command`, so the user is pointed at the right `--help`.
 */
export function parseFlags(args: readonly string[], spec: Readonly<Record<string, FlagSpec[string] | SettingInfo>>, command: string): ParsedFlags {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...flagSpecOf(spec), help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(firstSentence(error), command);
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  return { values, positionals: parsed.positionals, help: help === true };
}

/**
 * A string flag's value, or undefined. `parseArgs` already rejects `--port` without a value;
 * this only narrows the type.
 */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Whether a boolean flag was given. */
export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags.values[name] === true;
}

/** node's parseArgs messages go on to explain `--`; the first sentence is the useful part. */
function firstSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const end = message.indexOf(". ");
  return end === -1 ? message : message.slice(0, end + 1);
}

/** The string flags a command's settings take (`--port N` for a setting with `flag: "port"`). */
function flagSpecOf(spec: Readonly<Record<string, FlagSpec[string] | SettingInfo>>): FlagSpec {
  const flags: FlagSpec = {};
  const entries = Object.entries<FlagSpec[string] | SettingInfo>(spec);
  for (const [key, entry] of entries) {
    if ("type" in entry) flags[key] = entry;
    else if (entry.flag !== undefined) flags[entry.flag] = { type: "string" };
  }
  return flags;
}

/** The string flags given, by name: what `readSettings` takes as its `flags` source. */
export function flagsOf(flags: ParsedFlags): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(flags.values).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}
