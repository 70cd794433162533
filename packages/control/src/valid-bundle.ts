import { formatBundleError, parseBundle, type Bundle } from "@flowzone/engine";

import { ControlError } from "./control-error";
import { toSourceFiles } from "./policy-cache";

/**
 * A bundle given as files (path to content), parsed, or `invalid_policy` with every `file:line`
 * error: what a push publishes and what a what-if evaluates are held to the same rules.
 */
export function validBundle(files: Readonly<Record<string, string>>): Bundle {
  const sources = toSourceFiles(files);
  if (sources.length === 0) throw new ControlError("invalid_policy", "a policy bundle needs at least one file", { errors: [] });
  const result = parseBundle(sources);
  if (!result.ok) {
    const errors = result.errors.map(formatBundleError);
    throw new ControlError("invalid_policy", `the policy bundle has ${errors.length} error${errors.length === 1 ? "" : "s"}`, { errors });
  }
  return result.bundle;
}
