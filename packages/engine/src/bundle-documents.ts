import type { DigestDocument } from "./digest";
import { MapReader } from "./map-reader";
import type { BundleError, SourceFile } from "./types";
import type { RawAsset } from "./validate-asset";
import { validateAsset } from "./validate-asset";
import type { RawDefaults } from "./validate-defaults";
import { validateDefaults } from "./validate-defaults";
import type { RawLabel } from "./validate-label";
import { validateLabel } from "./validate-label";
import type { RawTestSuite } from "./validate-test-suite";
import { validateTestSuite } from "./validate-test-suite";
import type { RawZone } from "./validate-zone";
import { validateZone } from "./validate-zone";
import { readDocuments } from "./yaml-documents";
import type { DocumentContext } from "./yaml-documents";

/** A document together with the file it came from, for cross-reference errors. */
export interface InFile<T> {
  readonly file: string;
  readonly raw: T;
}

/** Every document of a bundle, validated one by one and grouped by kind, in file and document order. */
export interface BundleDocuments {
  readonly defaults: readonly RawDefaults[];
  readonly labels: readonly InFile<RawLabel>[];
  readonly assets: readonly InFile<RawAsset>[];
  readonly zones: readonly InFile<RawZone>[];
  readonly suites: readonly RawTestSuite[];
  /** The policy documents as written, for the digest (test suites excluded). */
  readonly digest: readonly DigestDocument[];
}

const KINDS = ["Defaults", "Label", "Asset", "Zone", "TestSuite"] as const;

/**
 * Parses and validates every document on its own (types, keys, formats). Errors go to `errors`;
 * whatever could be read is returned so that cross-references can still be checked.
 */
export function readBundleDocuments(files: readonly SourceFile[], errors: BundleError[]): BundleDocuments {
  const defaults: RawDefaults[] = [];
  const labels: InFile<RawLabel>[] = [];
  const assets: InFile<RawAsset>[] = [];
  const zones: InFile<RawZone>[] = [];
  const suites: RawTestSuite[] = [];
  const digest: DigestDocument[] = [];
  for (const context of readDocuments(files, errors)) {
    const reader = MapReader.open(context, context.document.contents, "a policy document", context.line(context.document.contents));
    if (reader === undefined) continue;
    const kind = reader.string("kind");
    if (kind === undefined) {
      if (reader.node("kind") === undefined) {
        context.report(reader.line, `document has no "kind"; expected one of ${KINDS.join(", ")}`);
      }
      continue;
    }
    const file = context.file;
    const content = plainContent(context);
    if (content === undefined) continue;
    switch (kind.value) {
      case "Defaults": {
        defaults.push(validateDefaults(reader));
        digest.push({ kind: kind.value, key: "", content });
        break;
      }
      case "Label": {
        const raw = validateLabel(reader);
        labels.push({ file, raw });
        digest.push({ kind: kind.value, key: raw.name?.value ?? "", content });
        break;
      }
      case "Asset": {
        const raw = validateAsset(reader);
        assets.push({ file, raw });
        digest.push({ kind: kind.value, key: raw.id?.value ?? "", content });
        break;
      }
      case "Zone": {
        const raw = validateZone(reader);
        zones.push({ file, raw });
        digest.push({ kind: kind.value, key: raw.name?.value ?? "", content });
        break;
      }
      case "TestSuite":
        suites.push(validateTestSuite(reader));
        break;
      default:
        context.report(kind.line, `unknown kind "${kind.value}"; expected one of ${KINDS.join(", ")}`);
    }
  }
  return { defaults, labels, assets, zones, suites, digest };
}

/** The document as plain data for the digest; reports (instead of throwing) an alias bomb. */
function plainContent(context: DocumentContext): unknown {
  try {
    return context.document.toJS() as unknown;
  } catch (error) {
    context.report(1, `the document cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
