import { eachFlag, exitOnHelp } from "../common/flags";

/** Options of bench:audit; the load shape (in flight, streams, window) is bench:pdp's. */
export { IN_FLIGHT, STREAMS, STREAM_WINDOW, dec, int, nproc, progress } from "../pdp/settings";

/** The goal: audit on keeps at least this share of audit off's throughput. */
export const GOAL_RATIO = 0.9;
/**
 * zone_traffic reports (one record per zone every 10 s by default) are deferred this long in the
 * audit-on child, so the audit topic's end offsets count violation records only.
 */
export const TRAFFIC_DEFERRED_MS = 3_600_000;

export interface Options {
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Profile both children (node --cpu-prof) into this run's work dir and summarise; implies --no-write. */
  readonly cpuProf: boolean;
  readonly write: boolean;
}

const USAGE = "options: --rounds N (3) --seconds S (4) --warmup-seconds S (1) --cpu-prof (profile both children; implies --no-write) --no-write";

export function parseOptions(argv: readonly string[]): Options {
  exitOnHelp(argv, USAGE);
  const opts = { rounds: 3, seconds: 4, warmupSeconds: 1, cpuProf: false, write: true };
  eachFlag(argv, (arg, value) => {
    if (arg === "--rounds") opts.rounds = Math.round(value());
    else if (arg === "--seconds") opts.seconds = value();
    else if (arg === "--warmup-seconds") opts.warmupSeconds = value();
    else if (arg === "--cpu-prof") {
      opts.cpuProf = true;
      opts.write = false;
    } else if (arg === "--no-write") opts.write = false;
    else throw new Error(`unknown option ${arg}; ${USAGE}`);
  });
  return opts;
}

export const ratio3 = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : "n/a");
