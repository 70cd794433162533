import { formatBundleError, parseBundle, type Bundle, type SourceFile } from "@flowzone/engine";

import { latestBundleId, readBundle } from "./bundle-store";
import type { Queryable } from "./database";

/** The policy in force: the latest pushed bundle, parsed. */
export interface CurrentPolicy {
  readonly id: number;
  readonly bundle: Bundle;
  readonly files: Readonly<Record<string, string>>;
}

/** Files as the HTTP API carries them, as the engine reads them (sorted by path). */
export function toSourceFiles(files: Readonly<Record<string, string>>): SourceFile[] {
  return Object.entries(files)
    .map(([path, content]) => ({ path, content }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Files as the engine reads them, as they are stored and published. */
export function toFileMap(files: readonly SourceFile[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file.path, file.content]));
}

/**
 * The latest bundle in PostgreSQL, parsed once per push: every call checks one id, so several
 * control-plane replicas sharing a database all serve the newest push.
 */
export class PolicyCache {
  private cached: CurrentPolicy | undefined;

  async current(db: Queryable): Promise<CurrentPolicy | undefined> {
    const id = await latestBundleId(db);
    if (id === 0) return undefined;
    if (this.cached?.id === id) return this.cached;
    const stored = await readBundle(db, id);
    if (stored === undefined) return undefined;
    const result = parseBundle(toSourceFiles(stored.files));
    if (!result.ok) {
      // Only validated bundles are stored; this means the engine's rules changed under a stored bundle.
      throw new Error(`stored bundle ${stored.version} no longer loads: ${result.errors.map(formatBundleError).join("; ")}`);
    }
    this.cached = { id, bundle: result.bundle, files: stored.files };
    return this.cached;
  }
}
