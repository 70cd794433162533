/**
 * A bundle directory that cannot be read (missing, not a directory, no permission). Carries the
 * directory so the operator sees which path to fix, and the underlying Node error as `cause`.
 */
export class BundleDirError extends Error {
  override readonly name = "BundleDirError";
  readonly dir: string;

  constructor(dir: string, cause: unknown) {
    super(`cannot read policy directory "${dir}": ${describe(cause)}`, { cause });
    this.dir = dir;
  }
}

function describe(cause: unknown): string {
  if (typeof cause === "object" && cause !== null && "code" in cause) {
    const code = (cause).code;
    if (code === "ENOENT") return "it does not exist";
    if (code === "ENOTDIR") return "it is not a directory";
    if (code === "EACCES" || code === "EPERM") return "permission denied";
  }
  return cause instanceof Error ? cause.message : String(cause);
}
