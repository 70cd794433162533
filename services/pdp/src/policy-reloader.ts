import type { SourceFile } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";
import { compilePolicy } from "./compile-policy";
import type { PolicyRef } from "./policy-ref";

/**
 * Applies an edited bundle: a good one replaces the engine (logged with its version), a broken
 * one leaves the old engine serving and logs each error as `file:line: message`. Never throws, so
 * a bad edit can never take the service down.
 */
export function applyBundle(files: readonly SourceFile[], policy: PolicyRef, logger: Logger): boolean {
  const result = compilePolicy(files);
  if (!result.ok) {
    for (const error of result.errors) logger.warn({ error }, error);
    logger.warn(
      { policyVersion: policy.current.version, errorCount: result.errors.length },
      "policy bundle rejected; the previous version keeps serving",
    );
    return false;
  }
  const previous = policy.current.version;
  policy.current = result.engine;
  if (result.engine.version === previous) {
    logger.info({ policyVersion: previous }, "policy bundle reloaded; version unchanged");
  } else {
    logger.info({ policyVersion: result.engine.version, previousVersion: previous }, "policy bundle reloaded");
  }
  return true;
}
