/**
 * A real write fault for tests: a process's soft file-size limit (RLIMIT_FSIZE), set with
 * util-linux's `prlimit`. A write that would go past the limit writes what fits and then fails with
 * EFBIG, as the kernel does it. Only the soft limit changes, so it can be raised again without
 * privileges.
 */
import { execFileSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import vm from "node:vm";

/**
 * Limits every file process `pid` (this one unless given) writes to `bytes`; call the returned
 * function to put its old limit back.
 */
export function limitFileSize(bytes: number, pid: number = process.pid): () => void {
  const target = String(pid);
  const before = execFileSync("prlimit", ["--pid", target, "--fsize", "--output", "SOFT", "--noheadings", "--raw"], { encoding: "utf8" }).trim();
  // The kernel also sends SIGXFSZ. Node starts with it ignored, but signal-exit (which jest's cache
  // writes load) listens for it and, finding itself the only listener, sends it again to end the
  // process. In this process a listener of ours keeps the fault a failed write. It must be on the
  // process itself: jest hands a test a copy of `process`, and code run in the main context sees
  // the real one.
  const realProcess = pid === process.pid ? (new vm.Script("process").runInThisContext() as NodeJS.Process) : undefined;
  const keepAlive = (): void => undefined;
  realProcess?.on("SIGXFSZ", keepAlive);
  execFileSync("prlimit", ["--pid", target, `--fsize=${bytes}:`]);
  return () => {
    execFileSync("prlimit", ["--pid", target, `--fsize=${before}:`]);
    realProcess?.off("SIGXFSZ", keepAlive);
  };
}

/** The size of the largest file in `dir` whose name ends with `suffix` (0 when there is none): a limit at it fails the next write past its end. */
export async function largestFileBytes(dir: string, suffix: string): Promise<number> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(suffix));
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  return Math.max(0, ...sizes);
}
