import type { BundleDocuments, InFile } from "./bundle-documents";
import { bytesOver, DEFAULT_MAX_FIELD_BYTES, quoteStart, tooLongMessage } from "./field-bounds";
import type { Located } from "./map-reader";
import type { BundleError } from "./types";
import { BOUNDARY_RULE } from "./validate-zone";

/**
 * Checks what no single document can: duplicates across the bundle and references to labels,
 * assets, zones and rules declared elsewhere. Declaration order never matters.
 */
export function checkReferences(documents: BundleDocuments, errors: BundleError[]): void {
  const report = (file: string, line: number, message: string): void => {
    errors.push({ file, line, message });
  };

  const [firstDefaults, ...extraDefaults] = documents.defaults;
  for (const extra of extraDefaults) {
    report(extra.file, extra.line, `a bundle has at most one Defaults document; another is at ${firstDefaults?.file ?? ""}:${firstDefaults?.line ?? 0}`);
  }

  const maxBytes = firstDefaults?.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
  const labels = declared(documents.labels, (raw) => raw.name, "label", report, maxBytes);
  const assets = declared(documents.assets, (raw) => raw.id, "asset", report, maxBytes);
  const zones = declared(documents.zones, (raw) => raw.name, "zone", report);
  declared(
    documents.suites.map((suite) => ({ file: suite.file, raw: suite })),
    (raw) => raw.name,
    "test suite",
    report,
  );

  for (const { file, raw } of documents.assets) {
    for (const label of raw.labels) {
      if (!labels.has(label.value)) {
        report(file, label.line, `asset "${raw.id?.value ?? ""}" carries undeclared label "${label.value}"`);
      }
    }
  }
  for (const { file, raw } of documents.zones) {
    for (const label of raw.protects) {
      if (!labels.has(label.value)) {
        report(file, label.line, `zone "${raw.name?.value ?? ""}" protects undeclared label "${label.value}"`);
      }
    }
  }
  for (const suite of documents.suites) {
    const suiteName = suite.name?.value ?? "";
    for (const test of suite.tests) {
      const subject = `test "${test.name}" of test suite "${suiteName}"`;
      for (const label of test.write.labels) {
        if (!labels.has(label.value)) report(suite.file, label.line, `${subject} writes undeclared label "${label.value}"`);
      }
      for (const source of test.write.sources) {
        if (!assets.has(source.value)) {
          report(suite.file, source.line, `${subject} reads from unknown source "${source.value}"; declare it as an Asset`);
        }
      }
      for (const expected of test.violations ?? []) {
        const zone = zones.get(expected.zone.value);
        if (zone === undefined) {
          report(suite.file, expected.zone.line, `${subject} expects a violation of unknown zone "${expected.zone.value}"`);
          continue;
        }
        const rule = expected.rule.value;
        if (rule !== BOUNDARY_RULE && !zone.rules.some((candidate) => candidate.name === rule)) {
          report(
            suite.file,
            expected.rule.line,
            `${subject} expects a violation of unknown rule "${rule}" in zone "${expected.zone.value}"`,
          );
        }
      }
    }
  }
}

/** Indexes documents by name, reporting every later duplicate against the first declaration. */
function declared<T>(
  documents: readonly InFile<T>[],
  nameOf: (raw: T) => Located<string> | undefined,
  what: string,
  report: (file: string, line: number, message: string) => void,
  maxBytes = Number.POSITIVE_INFINITY,
): Map<string, T> {
  const byName = new Map<string, T>();
  const firstAt = new Map<string, string>();
  for (const { file, raw } of documents) {
    const name = nameOf(raw);
    if (name === undefined) continue;
    const bytes = bytesOver(name.value, maxBytes);
    if (bytes !== undefined) report(file, name.line, tooLongMessage(`${what} "${quoteStart(name.value)}"`, bytes, maxBytes));
    const first = firstAt.get(name.value);
    if (first !== undefined) {
      report(file, name.line, `${what} "${name.value}" is declared twice; the first declaration is at ${first}`);
      continue;
    }
    firstAt.set(name.value, `${file}:${name.line}`);
    byName.set(name.value, raw);
  }
  return byName;
}
