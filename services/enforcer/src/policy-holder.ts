import { PolicyEngine, formatBundleError, parseBundle, type SourceFile } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

/**
 * The one reference to the engine in force. A reload replaces `current` in one assignment; a
 * batch reads it once, so every record of a batch is decided by the same policy version.
 */
export interface PolicyHolder {
  current: PolicyEngine;
}

/** A compiled engine, or every reason there is none, each as `file:line: message`. */
export type CompileResult = { readonly ok: true; readonly engine: PolicyEngine } | { readonly ok: false; readonly errors: readonly string[] };

/** Parses and compiles a bundle, all or nothing; an empty bundle is refused (almost always a wrong path). */
export function compilePolicy(files: readonly SourceFile[]): CompileResult {
  if (files.length === 0) return { ok: false, errors: ["the policy directory contains no *.yaml or *.yml files"] };
  const parsed = parseBundle(files);
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map(formatBundleError) };
  try {
    return { ok: true, engine: PolicyEngine.compile(parsed.bundle) };
  } catch (error) {
    return { ok: false, errors: [`cannot compile the bundle: ${error instanceof Error ? error.message : String(error)}`] };
  }
}

/**
 * Applies an edited bundle: a good one replaces the engine, a broken one keeps the old engine
 * and logs each error as `file:line: message`. Never throws, so a bad edit cannot stop the stream.
 */
export function applyBundle(files: readonly SourceFile[], policy: PolicyHolder, logger: Logger): boolean {
  const result = compilePolicy(files);
  if (!result.ok) {
    for (const error of result.errors) logger.warn({ error }, error);
    logger.warn({ policyVersion: policy.current.version, errorCount: result.errors.length }, "policy bundle rejected; the previous version keeps enforcing");
    return false;
  }
  const previousVersion = policy.current.version;
  policy.current = result.engine;
  logger.info({ policyVersion: result.engine.version, previousVersion }, "policy bundle reloaded");
  return true;
}
