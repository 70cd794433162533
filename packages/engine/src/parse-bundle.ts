import { readBundleDocuments } from "./bundle-documents";
import type { BundleDocuments } from "./bundle-documents";
import { checkReferences } from "./bundle-references";
import { bundleDigest } from "./digest";
import { DEFAULT_MAX_LABELS, DEFAULT_MAX_SOURCES } from "./count-bounds";
import { DEFAULT_MAX_FIELD_BYTES } from "./field-bounds";
import type {
  Asset,
  Bundle,
  BundleError,
  Defaults,
  Label,
  ParseResult,
  PolicyTestSuite,
  SourceFile,
  Zone,
} from "./types";

const DAY_MS = 86_400_000;

/**
 * What a bundle without a Defaults document gets: on, observing, failing open, a day of quiet,
 * exceptions of at most 90 days (a flow allowed for good belongs in the zone's members),
 * names of at most 256 bytes and at most 64 labels and 64 sources per write.
 */
export const DEFAULT_DEFAULTS: Defaults = {
  enabled: true,
  mode: "logging",
  failMode: "open",
  quietPeriodMs: DAY_MS,
  maxExceptionLifetimeMs: 90 * DAY_MS,
  maxFieldBytes: DEFAULT_MAX_FIELD_BYTES,
  maxLabels: DEFAULT_MAX_LABELS,
  maxSources: DEFAULT_MAX_SOURCES,
};

/**
 * Parses and validates a bundle, all or nothing: either a complete {@link Bundle} or every error
 * found, as `file:line` records sorted by file and line, so one `policy check` shows them all.
 * Files are read in path order; empty documents are ignored.
 */
export function parseBundle(files: readonly SourceFile[]): ParseResult {
  const errors: BundleError[] = [];
  const documents = readBundleDocuments(files, errors);
  checkReferences(documents, errors);
  if (errors.length > 0) {
    return { ok: false, errors: errors.sort((a, b) => compare(a.file, b.file) || a.line - b.line) };
  }
  return { ok: true, bundle: buildBundle(documents) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds the bundle from documents known to be valid: fills in defaults, keeps declaration order. */
function buildBundle(documents: BundleDocuments): Bundle {
  const raw = documents.defaults[0];
  const defaults: Defaults = {
    enabled: raw?.enabled ?? DEFAULT_DEFAULTS.enabled,
    mode: raw?.mode ?? DEFAULT_DEFAULTS.mode,
    failMode: raw?.failMode ?? DEFAULT_DEFAULTS.failMode,
    quietPeriodMs: raw?.quietPeriodMs ?? DEFAULT_DEFAULTS.quietPeriodMs,
    maxExceptionLifetimeMs: raw?.maxExceptionLifetimeMs ?? DEFAULT_DEFAULTS.maxExceptionLifetimeMs,
    maxFieldBytes: raw?.maxFieldBytes ?? DEFAULT_DEFAULTS.maxFieldBytes,
    maxLabels: raw?.maxLabels ?? DEFAULT_DEFAULTS.maxLabels,
    maxSources: raw?.maxSources ?? DEFAULT_DEFAULTS.maxSources,
  };
  const labels = new Map<string, Label>();
  for (const { raw: label } of documents.labels) {
    const name = label.name?.value ?? "";
    labels.set(name, { name, description: label.description });
  }
  const assets = new Map<string, Asset>();
  for (const { raw: asset } of documents.assets) {
    const id = asset.id?.value ?? "";
    assets.set(id, { id, labels: asset.labels.map((label) => label.value), owner: asset.owner });
  }
  const zones = documents.zones.map(({ raw: zone }): Zone => ({
    name: zone.name?.value ?? "",
    description: zone.description,
    owners: zone.owners,
    protects: zone.protects.map((label) => label.value),
    members: zone.members,
    purposes: zone.purposes,
    mode: zone.mode ?? defaults.mode,
    failMode: zone.failMode,
    quietPeriodMs: zone.quietPeriodMs ?? defaults.quietPeriodMs,
    autoEnforce: zone.autoEnforce,
    rules: zone.rules,
  }));
  const testSuites = documents.suites.map((suite): PolicyTestSuite => ({
    name: suite.name?.value ?? "",
    file: suite.file,
    tests: suite.tests.map((test) => ({
      name: test.name,
      file: suite.file,
      line: test.line,
      write: {
        producer: test.write.producer,
        sink: test.write.sink,
        labels: test.write.labels.map((label) => label.value),
        sources: test.write.sources.map((source) => source.value),
        purpose: test.write.purpose,
      },
      expect: {
        decision: test.decision,
        violations: test.violations?.map((expected) => ({
          zone: expected.zone.value,
          rule: expected.rule.value,
          enforced: expected.enforced,
        })),
      },
    })),
  }));
  return { digest: bundleDigest(documents.digest), defaults, labels, assets, zones, testSuites };
}
