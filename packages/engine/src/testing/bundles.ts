// Helpers for the engine's unit tests: bundles from YAML text. Not part of the build.
import { formatBundleError } from "../bundle-error";
import { parseBundle } from "../parse-bundle";
import { PolicyEngine } from "../policy-engine";
import type { Bundle, RuntimeState, Write } from "../types";

/** Parses documents (joined into one file) into a bundle, failing loudly on any error. */
export function bundleOf(...documents: string[]): Bundle {
  const result = parseBundle([{ path: "bundle.yaml", content: documents.join("\n---\n") }]);
  if (!result.ok) throw new Error(result.errors.map(formatBundleError).join("\n"));
  return result.bundle;
}

/** Compiles documents into an engine. */
export function engineOf(documents: readonly string[], state?: RuntimeState): PolicyEngine {
  return PolicyEngine.compile(bundleOf(...documents), state);
}

/** The formatted errors of a bundle given as files (path to content); [] when it loads. */
export function errorsOf(files: Readonly<Record<string, string>>): string[] {
  const result = parseBundle(Object.entries(files).map(([path, content]) => ({ path, content })));
  return result.ok ? [] : result.errors.map(formatBundleError);
}

/** A write with defaults for what a test does not care about. */
export function writeOf(fields: Partial<Write>): Write {
  return { producer: "svc:app", sink: "svc:somewhere", labels: [], sources: [], purpose: "", ...fields };
}

/** Labels `banana`, `apple`, `pii.email`, `x`, an asset carrying banana, and the banana zone. */
export const LABELS = [
  "kind: Label\nname: banana",
  "kind: Label\nname: apple",
  "kind: Label\nname: pii.email",
  "kind: Label\nname: x",
  "kind: Asset\nid: kafka:banana-events\nlabels: [banana]",
  "kind: Asset\nid: table:dw.users\nlabels: [pii.email, apple]",
  "kind: Asset\nid: kafka:plain\nlabels: []",
];

/** A banana zone document; `extra` lines are appended (e.g. mode, rules). */
export function bananaZone(extra = ""): string {
  return [
    "kind: Zone",
    "name: banana",
    "owners: [privacy-banana]",
    "protects: [banana]",
    "members: [kafka:banana-*, svc:banana-ranker]",
    "purposes: [banana-research]",
    "mode: enforcement",
    extra,
  ].join("\n");
}
