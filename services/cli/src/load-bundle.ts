import * as path from "node:path";
import { BundleDirError, readBundleDir } from "@flowzone/bundle-source";
import { formatBundleError, parseBundle } from "@flowzone/engine";
import type { Bundle, BundleError } from "@flowzone/engine";
import { describeError } from "./describe-error";

/** A bundle directory read and parsed, or every reason it could not be. */
export type LoadedBundle =
  | { readonly ok: true; readonly bundle: Bundle }
  | {
      readonly ok: false;
      /** With DIR prefixed to each file, so editors and terminals can open them. */
      readonly errors: readonly BundleError[];
    };

/**
 * Reads `dir` and parses it as one bundle. Errors name `dir/file`; a directory that cannot be
 * read at all becomes a single error on `dir` with line 0, its message naming the directory.
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  let files;
  try {
    files = await readBundleDir(dir);
  } catch (error) {
    const message = error instanceof BundleDirError ? error.message : `cannot read policy directory "${dir}": ${describeError(error)}`;
    return { ok: false, errors: [{ file: dir, line: 0, message }] };
  }
  const result = parseBundle(files);
  if (result.ok) return result;
  return { ok: false, errors: result.errors.map((e) => ({ ...e, file: inDir(dir, e.file) })) };
}

/** A bundle-relative path as the user can open it: `examples/bundle` + `zones/pii.yaml`. */
export function inDir(dir: string, file: string): string {
  return path.join(dir, file);
}

/** `file:line: message`; an error not tied to a line (line 0) names its path in its message. */
export function formatError(error: BundleError): string {
  return error.line > 0 ? formatBundleError(error) : error.message;
}
