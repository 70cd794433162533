import { isAssetId, isAssetPattern } from "./asset-id";
import { parseDurationMs } from "./duration";
import type { Located, MapReader } from "./map-reader";

const EXAMPLE_ID = "<system>:<name>, e.g. kafka:orders";

/** Reports `id` unless it is a well-formed asset id; returns whether it is. */
export function checkAssetId(reader: MapReader, id: Located<string>, what: string): boolean {
  if (isAssetId(id.value)) return true;
  reader.context.report(id.line, `${what} "${id.value}" of ${reader.subject} is not a well-formed asset id (${EXAMPLE_ID})`);
  return false;
}

/** Keeps the well-formed patterns of a list and reports the others. */
export function checkPatterns(reader: MapReader, key: string, patterns: readonly Located<string>[]): string[] {
  const valid: string[] = [];
  for (const pattern of patterns) {
    if (isAssetPattern(pattern.value)) valid.push(pattern.value);
    else {
      reader.context.report(
        pattern.line,
        `"${key}" of ${reader.subject} has a malformed asset pattern "${pattern.value}" (${EXAMPLE_ID}, '*' globs within an id, e.g. kafka:orders-*)`,
      );
    }
  }
  return valid;
}

/** Reads a Go-style duration in milliseconds, reporting a malformed one. */
export function readDuration(reader: MapReader, key: string): number | undefined {
  const text = reader.string(key);
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text.value);
  if (ms === undefined) {
    reader.context.report(
      text.line,
      `"${key}" of ${reader.subject} is not a valid duration: "${text.value}" (use e.g. 90s, 15m, 24h, 7d or 1h30m)`,
    );
  }
  return ms;
}

/** Keeps each string of a list once, in order: a repeat changes nothing, so it is not an error. */
export function unique<T extends { readonly value: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    if (seen.has(item.value)) return false;
    seen.add(item.value);
    return true;
  });
}
