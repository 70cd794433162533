import { PolicyEngine, formatBundleError, parseBundle } from "@flowzone/engine";
import type { SourceFile } from "@flowzone/engine";

/** A compiled engine, or every reason there is none, each as `file:line: message`. */
export type CompileResult = { readonly ok: true; readonly engine: PolicyEngine } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Parses and compiles a bundle, all or nothing. An empty bundle is refused: a directory with no
 * policy files is almost always a wrong path, and serving it would allow every write silently.
 */
export function compilePolicy(files: readonly SourceFile[]): CompileResult {
  if (files.length === 0) {
    return { ok: false, errors: ["the policy directory contains no *.yaml or *.yml files"] };
  }
  const parsed = parseBundle(files);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map(formatBundleError) };
  try {
    return { ok: true, engine: PolicyEngine.compile(parsed.bundle) };
  } catch (error) {
    return { ok: false, errors: [`cannot compile the bundle: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
