import { createHash } from "node:crypto";

/** One policy document as written (defaults not filled in), keyed for canonical ordering. */
export interface DigestDocument {
  readonly kind: string;
  /** The document's name or id; "" for Defaults. */
  readonly key: string;
  /** The document as plain data (YAML `toJS`). */
  readonly content: unknown;
}

/** JSON with object keys sorted at every level, so key order and YAML style never matter. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
  }
  return value === undefined ? "null" : JSON.stringify(value);
}

/**
 * The bundle's version: `sha256:` over its documents in canonical form, sorted by kind then
 * name or id. Reformatting, reordering documents or moving them between files keeps it; any
 * change of content changes it. Test suites are left out by the caller: adding a test is not a
 * policy change.
 */
export function bundleDigest(documents: readonly DigestDocument[]): string {
  const entries = documents.map((document) => ({
    sortKey: `${document.kind}\u0000${document.key}`,
    text: canonicalJson(document.content),
  }));
  entries.sort((a, b) => compare(a.sortKey, b.sortKey) || compare(a.text, b.text));
  const hash = createHash("sha256");
  for (const entry of entries) hash.update(`${entry.text}\n`);
  return `sha256:${hash.digest("hex")}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
