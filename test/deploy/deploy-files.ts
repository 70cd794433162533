/** What the tests of deploy/ share: where its files are, reading them, and the settings each command declares. */
import { readFileSync } from "node:fs";
import path from "node:path";

import { CONTROL_SETTINGS } from "@flowzone/control-service";
import { ENFORCER_SETTINGS } from "@flowzone/enforcer";
import { DECISION_SERVICE_SETTINGS } from "@flowzone/pdp";
import type { Setting } from "@flowzone/service-kit";
import { METRIC_NAMES } from "@flowzone/telemetry";
import { parseAllDocuments } from "yaml";

import { logSettings } from "../../services/cli/src/log-settings";

export const REPO = path.join(__dirname, "..", "..");
export const DEPLOY = path.join(REPO, "deploy");

export function readDeployFile(relative: string): string {
  return readFileSync(path.join(DEPLOY, relative), "utf8");
}

/** Every document of a YAML file or stream, merge keys (`<<: *anchor`) resolved as Compose resolves them. */
export function yamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join("\n"));
    return document.toJS({ maxAliasCount: -1 }) as unknown;
  });
}

type Settings = Readonly<Record<string, Setting<unknown>>>;

/** The variables a command with these settings reads (the log settings too). */
function variablesOf(settings: Settings): ReadonlySet<string> {
  return new Set(Object.values({ ...settings, ...logSettings("info") }).flatMap((setting) => (setting.env === undefined ? [] : [setting.env])));
}

const VARIABLES_BY_COMMAND: Readonly<Record<string, ReadonlySet<string>>> = {
  pdp: variablesOf(DECISION_SERVICE_SETTINGS),
  control: variablesOf(CONTROL_SETTINGS),
  enforcer: variablesOf(ENFORCER_SETTINGS),
};

/** The variables of `names` that `command` does not read: a misspelt or misplaced setting is silently ignored by the service. */
export function unreadVariables(command: string, names: readonly string[]): string[] {
  const read = VARIABLES_BY_COMMAND[command];
  if (read === undefined) throw new Error(`${command} is not a long-running flowzone command`);
  return names.filter((name) => !read.has(name));
}

/** Every flowzone_* metric name in `text`, as exported: a histogram's _bucket, _sum and _count series are its name. */
export function metricNamesIn(text: string): string[] {
  const names = [...text.matchAll(/\bflowzone_[a-z0-9_]+/g)].map((match) => match[0].replace(/_(bucket|sum|count)$/, ""));
  return [...new Set(names)];
}

export const EXPORTED_METRICS: ReadonlySet<string> = new Set(Object.values(METRIC_NAMES));
