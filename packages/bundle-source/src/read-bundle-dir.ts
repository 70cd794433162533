import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SourceFile } from "@flowzone/engine";
import { BundleDirError } from "./bundle-dir-error";

const BUNDLE_FILE = /\.ya?ml$/;

/**
 * Reads every `*.yaml`/`*.yml` file under `dir`, recursively, as the engine's `SourceFile`s:
 * paths relative to `dir` with posix separators, sorted by path so the same tree always gives
 * the same bundle. Hidden entries (names starting with `.`) are skipped: they are editor and VCS
 * artefacts, and Kubernetes ConfigMap mounts keep a hidden copy of every file beside the visible
 * link. Symbolic links are followed.
 *
 * @throws BundleDirError naming the directory when it or a file in it cannot be read.
 */
export async function readBundleDir(dir: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  try {
    await collect(dir, "", files);
  } catch (error) {
    throw error instanceof BundleDirError ? error : new BundleDirError(dir, error);
  }
  return files.sort(byPath);
}

async function collect(root: string, prefix: string, into: SourceFile[]): Promise<void> {
  const entries = await readdir(prefix === "" ? root : join(root, prefix), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    const absolute = join(root, relative);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(absolute);
      isDirectory = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDirectory) {
      await collect(root, relative, into);
    } else if (isFile && BUNDLE_FILE.test(entry.name)) {
      into.push({ path: relative, content: await readFile(absolute, "utf8") });
    }
  }
}

function byPath(a: SourceFile, b: SourceFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
