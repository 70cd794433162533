/** CPU time of a process (all its threads) or of one of its threads, from /proc: utime + stime. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) used so far by process `pid`. */
export function cpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds (user + system) used so far by thread `tid` of process `pid` (the main thread's id is the pid). */
export function threadCpuSeconds(pid: number, tid: number): number {
  return statCpuSeconds(`/proc/${pid}/task/${tid}/stat`);
}

/** utime + stime of a `stat` file of /proc, in seconds. */
function statCpuSeconds(file: string): number {
  const stat = readFileSync(file, "utf8");
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return (utime + stime) / clockTicks();
}

/** What {@link measureOwnCpu} measured of the work it ran. */
export interface OwnCpu {
  readonly seconds: number;
  /** User + system CPU of this process, all its threads. */
  readonly cpuSeconds: number;
  /** The same, of its event loop's thread alone. */
  readonly mainThreadCpuSeconds: number;
}

/** Runs `work` and measures its wall time and this process's CPU over it, in all threads and in the event loop's. */
export async function measureOwnCpu(work: () => Promise<void>): Promise<OwnCpu> {
  const cpu0 = process.cpuUsage();
  const main0 = threadCpuSeconds(process.pid, process.pid);
  const t0 = performance.now();
  await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainThreadCpuSeconds: threadCpuSeconds(process.pid, process.pid) - main0 };
}
