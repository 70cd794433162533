/** Rounds and their medians, per mode. */
import type { Child } from "../common/children";
import { cpuSeconds } from "../common/cpu";
import type { RunResult } from "../common/load-generator";
import { denyFraction, median } from "../common/stats";

export interface InProcessSummary {
  readonly name: string;
  readonly perRound: number[];
  readonly checks: number;
  fraction: number;
}

export interface Mode {
  readonly server: string;
  readonly call: string;
  readonly child: () => Child;
  readonly run: (startSeq: number, durationMs: number) => Promise<RunResult>;
}

export interface ModeResults {
  readonly mode: Mode;
  readonly runs: RunResult[];
  readonly serverCpu: number[];
  nextSeq: number;
}

export async function measureRound(m: ModeResults, durationMs: number, record: boolean): Promise<RunResult> {
  const pid = m.mode.child().pid;
  const cpu0 = cpuSeconds(pid);
  let res: RunResult;
  try {
    res = await m.mode.run(m.nextSeq, durationMs);
  } catch (error) {
    throw new Error(`${m.mode.server} ${m.mode.call}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const cpu = cpuSeconds(pid) - cpu0;
  if (res.mismatches > 0) {
    throw new Error(`${m.mode.server} ${m.mode.call}: ${res.mismatches} decisions differ from zones-20 (first at request ${res.firstMismatch})`);
  }
  if (record) {
    m.runs.push(res);
    m.serverCpu.push(cpu);
    m.nextSeq += res.checks;
  }
  return res;
}

export interface ModeSummary {
  readonly server: string;
  readonly call: string;
  readonly callsPerSec: number;
  readonly checksPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuPer100k: number;
  readonly serverCpuUsPerCall: number;
  readonly clientCpuPer100k: number;
  readonly fraction: number;
  readonly checks: number;
  readonly perRound: number[];
}

export function summarize(m: ModeResults): ModeSummary {
  const { fraction, checks } = denyFraction(`${m.mode.server} ${m.mode.call}`, m.runs.map((r) => r.outcomes));
  return {
    server: m.mode.server,
    call: m.mode.call,
    callsPerSec: median(m.runs.map((r) => r.callsPerSec)),
    checksPerSec: median(m.runs.map((r) => r.checksPerSec)),
    p50Ms: median(m.runs.map((r) => r.p50Ms)),
    p99Ms: median(m.runs.map((r) => r.p99Ms)),
    serverCpuPer100k: median(m.runs.map((r, i) => ((m.serverCpu[i] ?? NaN) / r.checks) * 1e5)),
    serverCpuUsPerCall: median(m.runs.map((r, i) => ((m.serverCpu[i] ?? NaN) / r.calls) * 1e6)),
    clientCpuPer100k: median(m.runs.map((r) => (r.clientCpuS / r.checks) * 1e5)),
    fraction,
    checks,
    perRound: m.runs.map((r) => r.checksPerSec),
  };
}

export interface PacedSummary {
  readonly server: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p99PerRound: readonly number[];
  readonly lateP99Ms: number;
  readonly callsPerSec: number;
  readonly fraction: number;
  readonly checks: number;
}
