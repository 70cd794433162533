import { LineCounter, isMap, isScalar, parseAllDocuments } from "yaml";
import type { Node, YAMLMap } from "yaml";

import { DEFAULT_PRODUCER, type Route } from "./route";

/** A routes file's text and the path its errors name. */
export interface RoutesFile {
  readonly path: string;
  readonly content: string;
}

/** Routes, or every rejection as `file:line: message` (all or nothing, like the bundle). */
export type RoutesResult = { readonly ok: true; readonly routes: readonly Route[] } | { readonly ok: false; readonly errors: readonly string[] };

const KEYS = ["kind", "name", "from", "to", "quarantine", "producer"] as const;
/** Kafka's legal topic names: 1 to 249 of `[A-Za-z0-9._-]`, and not `.` or `..`. */
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** Route names end up in consumer group and transactional ids. */
const ROUTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
/** The engine's asset-id grammar (`<system>:<name>`), mirrored for the `producer` key. */
const ASSET_ID = /^[a-z][a-z0-9_-]*:[A-Za-z0-9._/-]+$/;

/**
 * Parses an enforcer routes file (YAML 1.2, several `kind: Route` documents). Rejects unknown
 * keys, missing or duplicate names, a missing `from`, malformed topic names, a `quarantine`
 * without `to`, loops (`to` or `quarantine` equal to `from`) and a bad producer asset id, each at
 * its line. Pure: the caller reads the file.
 */
export function parseRoutes(file: RoutesFile): RoutesResult {
  const errors: string[] = [];
  const lines = new LineCounter();
  const lineOf = (node: Node | null | undefined, fallback = 1): number => (node?.range == null ? fallback : lines.linePos(node.range[0]).line);
  const report = (line: number, message: string): void => {
    errors.push(`${file.path}:${line}: ${message}`);
  };
  const routes: Route[] = [];
  const names = new Map<string, number>();
  for (const document of parseAllDocuments(file.content, { lineCounter: lines, prettyErrors: false })) {
    if (document.errors.length > 0) {
      for (const error of document.errors) report(lines.linePos(error.pos[0]).line, `YAML syntax error: ${error.message}`);
      continue;
    }
    const contents = document.contents;
    if (contents === null) continue;
    if (!isMap(contents)) {
      report(lineOf(contents), "a route must be a mapping with kind: Route");
      continue;
    }
    const route = readRoute(contents, lineOf, report);
    if (route === undefined) continue;
    const seen = names.get(route.name);
    if (seen !== undefined) {
      report(lineOf(contents), `duplicate route name "${route.name}"; first defined at line ${seen}`);
      continue;
    }
    names.set(route.name, lineOf(contents));
    routes.push(route);
  }
  if (errors.length === 0 && routes.length === 0) report(1, "the routes file defines no route; add a document with kind: Route");
  return errors.length > 0 ? { ok: false, errors } : { ok: true, routes };
}

type LineOf = (node: Node | null | undefined, fallback?: number) => number;

function readRoute(map: YAMLMap, lineOf: LineOf, report: (line: number, message: string) => void): Route | undefined {
  const mapLine = lineOf(map);
  const values = new Map<string, { value: unknown; line: number }>();
  let valid = true;
  for (const pair of map.items) {
    const key = pair.key;
    const keyLine = lineOf(key as Node, mapLine);
    const keyText = isScalar(key) ? String(key.value) : "";
    if (!(KEYS as readonly string[]).includes(keyText)) {
      report(keyLine, `unknown key "${keyText}" in route; allowed keys are ${KEYS.join(", ")}`);
      valid = false;
      continue;
    }
    const value = pair.value;
    values.set(keyText, { value: isScalar(value) ? value.value : value, line: lineOf(value as Node, keyLine) });
  }
  const text = (key: string, required: boolean): string | undefined => {
    const entry = values.get(key);
    if (entry === undefined || entry.value === null) {
      if (required) {
        report(mapLine, `route is missing required key "${key}"`);
        valid = false;
      }
      return undefined;
    }
    if (typeof entry.value !== "string" || entry.value === "") {
      report(entry.line, `"${key}" of a route must be a non-empty string`);
      valid = false;
      return undefined;
    }
    return entry.value;
  };
  const kind = text("kind", true);
  if (kind !== undefined && kind !== "Route") {
    report(values.get("kind")?.line ?? mapLine, `unknown kind "${kind}" in the routes file; expected Route`);
    return undefined;
  }
  const name = text("name", true);
  const from = text("from", true);
  const to = text("to", false);
  const quarantine = text("quarantine", false);
  const producer = text("producer", false);
  const lineOfKey = (key: string): number => values.get(key)?.line ?? mapLine;
  if (name !== undefined && !ROUTE_NAME.test(name)) {
    report(lineOfKey("name"), `route name "${name}" must be letters, digits, ".", "_" or "-" (it names a consumer group)`);
    valid = false;
  }
  for (const [key, topic] of [["from", from], ["to", to], ["quarantine", quarantine]] as const) {
    if (topic !== undefined && (!TOPIC.test(topic) || topic === "." || topic === "..")) {
      report(lineOfKey(key), `"${key}" is not a valid Kafka topic name: "${topic}" (use 1 to 249 of letters, digits, ".", "_", "-")`);
      valid = false;
    }
  }
  if (quarantine !== undefined && to === undefined) {
    report(lineOfKey("quarantine"), `route "${name ?? "?"}" has a quarantine but no "to"; a route without "to" only observes and has nothing to quarantine`);
    valid = false;
  }
  if (from !== undefined && (to === from || quarantine === from)) {
    report(lineOfKey(to === from ? "to" : "quarantine"), `route "${name ?? "?"}" writes back to its own source topic "${from}"; that would loop`);
    valid = false;
  }
  if (to !== undefined && quarantine === to) {
    report(lineOfKey("quarantine"), `route "${name ?? "?"}" quarantines into its own output topic "${to}"`);
    valid = false;
  }
  if (producer !== undefined && !ASSET_ID.test(producer)) {
    report(lineOfKey("producer"), `"producer" must be an asset id like svc:orders-enricher, not "${producer}"`);
    valid = false;
  }
  if (!valid || name === undefined || from === undefined) return undefined;
  return { name, from, to, quarantine: to === undefined ? undefined : (quarantine ?? `${to}.quarantine`), producer: producer ?? DEFAULT_PRODUCER };
}
