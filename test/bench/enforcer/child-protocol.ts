/**
 * What the benchmark tells a system-under-test child (argv[2], JSON) and what the child prints
 * back (one JSON object per stdout line). Both children (the enforcer and the pipe) use it.
 */
import { cpuSeconds } from "../common/cpu";

export type Guarantee = "exactly-once" | "at-least-once";

/** One source topic and where its records go. */
export interface Lane {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly quarantine: string;
}

export interface ChildConfig {
  readonly brokers: string;
  readonly guarantee: Guarantee;
  /** The throughput lane (pre-produced records) and the latency lane (paced records). */
  readonly lanes: readonly [Lane, Lane];
  readonly auditTopic: string;
  readonly policyDir: string;
  /** Unique per run: transactional ids and groups never meet those of another run. */
  readonly runId: string;
  /** Records of the throughput lane; "done" is printed once that many are committed. */
  readonly target: number;
}

export interface ChildCounts {
  readonly records: number;
  readonly forwarded: number;
  readonly quarantined: number;
  readonly audits: number;
  readonly transactions: number;
  readonly aborted: number;
}

export type ChildEvent =
  | { readonly event: "ready" }
  | { readonly event: "first"; readonly counts: ChildCounts; readonly cpuSeconds: number }
  | { readonly event: "done"; readonly counts: ChildCounts; readonly cpuSeconds: number; readonly recordsPerSec: number; readonly seconds: number };

const POLL_MS = 20;

/**
 * Prints "ready", then polls `counts` and prints "first" when the first records were committed
 * and "done" (with records/s from first to done) once `target` were; resolves when stdin closes.
 * Both carry the process's CPU seconds (utime + stime of all its threads, from /proc/<pid>/stat).
 */
export async function reportProgress(config: ChildConfig, counts: () => ChildCounts): Promise<void> {
  const print = (event: ChildEvent): void => {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  };
  print({ event: "ready" });
  let first: { at: number; records: number } | undefined;
  let done = false;
  const timer = setInterval(() => {
    const now = counts();
    if (first === undefined && now.records > 0) {
      first = { at: performance.now(), records: now.records };
      print({ event: "first", counts: now, cpuSeconds: cpuSeconds(process.pid) });
    }
    if (!done && first !== undefined && now.records >= config.target) {
      done = true;
      const seconds = (performance.now() - first.at) / 1000;
      print({ event: "done", counts: now, cpuSeconds: cpuSeconds(process.pid), seconds, recordsPerSec: (now.records - first.records) / seconds });
    }
  }, POLL_MS);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once("end", resolve));
  clearInterval(timer);
}

export function parseChildConfig(arg: string | undefined): ChildConfig {
  if (arg === undefined) throw new Error("usage: <child>.js '<json config>'");
  return JSON.parse(arg) as ChildConfig;
}
