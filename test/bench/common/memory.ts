/** Peak memory of a process, for the benchmarks' per-server figures. */
import { readFileSync } from "node:fs";

/** Peak resident set size (VmHWM of /proc/<pid>/status) of process `pid`, in MiB; NaN if unreadable. */
export function peakRssMiB(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? NaN : Number(match[1]) / 1024;
  } catch {
    return NaN;
  }
}
