/** Options and formatting of `npm run bench:propagation`. */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

import { CLUSTER_FLAG, exitOnHelp } from "../common/flags";

export interface Options {
  /** Measured flips (alternating logging → enforcement → logging ...). */
  readonly flips: number;
  /** Flips before the measured ones, not counted (connections, JIT, first fetches). */
  readonly warmup: number;
  /** Decision-service replicas, each its own process. */
  readonly replicas: number;
  /** How often each replica is probed while a flip propagates. */
  readonly probeMs: number;
  /** Pause between flips: `gapMs` plus a random part of up to `gapMs`, so flips land at every phase of the followers' fetch cycle. */
  readonly gapMs: number;
  /** A flip not seen by every replica after this long fails the run. */
  readonly timeoutMs: number;
  /** Embedded PGlite in a temporary directory instead of the PostgreSQL server. */
  readonly pglite: boolean;
  /** A fresh three-broker cluster instead of the single broker (issue 11, item 6). */
  readonly cluster: boolean;
  /** Unary zones-20 `Check` calls per second sent to each replica, paced, for the whole run; 0: none. */
  readonly loadRate: number;
  readonly write: boolean;
}

/** Load per replica in cluster mode unless `--load-rate` says otherwise: bounded, so that three replicas, three brokers and the control plane share 2 cores without saturating them. */
export const CLUSTER_LOAD_RATE = 100;

const USAGE =
  "options: --flips N (100) --warmup N (4) --replicas N (3) --probe-ms MS (5) --gap-ms MS (300) --timeout-ms MS (10000) --pglite " +
  `${CLUSTER_FLAG} --load-rate N (calls/s per replica; ${CLUSTER_LOAD_RATE} with ${CLUSTER_FLAG}, else 0) --no-write`;

export function parseOptions(argv: readonly string[]): Options {
  exitOnHelp(argv, USAGE);
  const opts = { flips: 100, warmup: 4, replicas: 3, probeMs: 5, gapMs: 300, timeoutMs: 10_000, pglite: false, cluster: false, write: true };
  let loadRate: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (min: number): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min) throw new Error(`${arg ?? ""} needs a number of at least ${min}; ${USAGE}`);
      return v;
    };
    if (arg === "--flips") opts.flips = Math.round(value(1));
    else if (arg === "--warmup") opts.warmup = Math.round(value(0));
    else if (arg === "--replicas") opts.replicas = Math.round(value(1));
    else if (arg === "--probe-ms") opts.probeMs = value(1);
    else if (arg === "--gap-ms") opts.gapMs = value(0);
    else if (arg === "--timeout-ms") opts.timeoutMs = value(100);
    else if (arg === "--pglite") opts.pglite = true;
    else if (arg === CLUSTER_FLAG) opts.cluster = true;
    else if (arg === "--load-rate") loadRate = value(0);
    else if (arg === "--no-write") opts.write = false;
    else throw new Error(`unknown option ${arg ?? ""}; ${USAGE}`);
  }
  return { ...opts, loadRate: loadRate ?? (opts.cluster ? CLUSTER_LOAD_RATE : 0) };
}

const started = performance.now();
export function progress(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${t}s] ${message}\n`);
}

/** Milliseconds since the Unix epoch with sub-millisecond resolution: comparable across the benchmark's processes. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export const ms = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : "n/a");

export function nproc(): string {
  try {
    return execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    return String(cpus().length);
  }
}
