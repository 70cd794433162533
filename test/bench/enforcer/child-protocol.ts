/**
 * What the benchmark tells a system-under-test child (argv[2], JSON) and what the child prints
 * back (one JSON object per stdout line). Both children (the enforcer and the pipe) use it.
 */
import type { Route } from "@flowzone/enforcer";

import { cpuSeconds } from "../common/cpu";

export type Guarantee = "exactly-once" | "at-least-once";

/** One source topic and where its records go. */
export interface Lane {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly quarantine: string;
}

/**
 * What the pipe writes: a copy of each input record, or what the enforcer writes for it (its
 * output with the enforcer's headers to `to` or quarantine, and its audit records).
 */
export type PipeWrites = "copy" | "enforcer";

export interface ChildConfig {
  readonly brokers: string;
  readonly guarantee: Guarantee;
  /** The pipe's writes; the enforcer child ignores it. */
  readonly writes: PipeWrites;
  /** The throughput lane (pre-produced records) and the latency lane (paced records). */
  readonly lanes: readonly [Lane, Lane];
  readonly auditTopic: string;
  readonly policyDir: string;
  /**
   * Unique per run: transactional ids and groups never meet those of another run. The children of
   * one run (several in cluster mode) share it, so they form one consumer group and a partition's
   * transactional id follows the partition from one process to another.
   */
  readonly runId: string;
}

/** The enforcer's route for a lane; the pipe with the enforcer's writes names its records after it. */
export function routeOf(config: ChildConfig, lane: Lane): Route {
  return { name: `${config.runId}-${lane.name}`, from: lane.from, to: lane.to, quarantine: lane.quarantine, producer: "svc:bench" };
}

export interface ChildCounts {
  readonly records: number;
  readonly forwarded: number;
  readonly quarantined: number;
  readonly audits: number;
  readonly transactions: number;
  readonly aborted: number;
}

/** Where a child stands: its counts and CPU seconds at `at` (Unix ms, comparable across the run's processes). */
export interface ChildProgress {
  readonly counts: ChildCounts;
  readonly cpuSeconds: number;
  readonly at: number;
}

export type ChildEvent = { readonly event: "ready" } | ({ readonly event: "progress" } & ChildProgress);

const POLL_MS = 20;

/**
 * Prints "ready", then polls `counts` and prints "progress" each time more records were committed,
 * with the process's CPU seconds (utime + stime of all its threads, from /proc/<pid>/stat); the
 * benchmark sums the progress of every child of a run. Resolves when stdin closes.
 */
export async function reportProgress(counts: () => ChildCounts): Promise<void> {
  const print = (event: ChildEvent): void => {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  };
  print({ event: "ready" });
  let records = 0;
  const timer = setInterval(() => {
    const now = counts();
    if (now.records === records) return;
    records = now.records;
    print({ event: "progress", counts: now, cpuSeconds: cpuSeconds(process.pid), at: performance.timeOrigin + performance.now() });
  }, POLL_MS);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once("end", resolve));
  clearInterval(timer);
}

export function parseChildConfig(arg: string | undefined): ChildConfig {
  if (arg === undefined) throw new Error("usage: <child>.js '<json config>'");
  return JSON.parse(arg) as ChildConfig;
}
