/** Settings, options and formatting shared by the bench:pdp modules. */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { CYCLE } from "../common/workload";
import { eachFlag, exitOnHelp } from "../common/flags";

export const IN_FLIGHT = 64;
export const STREAMS = 4;
export const STREAM_WINDOW = 100;
export const PACED_RATE = 1000;
/** The echo that also reads its requests and writes its answers afresh (echo-server.ts --read), measured under CheckBatch. */
export const READING_ECHO = "reading echo";

export interface Options {
  /** Rounds of the in-process and closed-loop gRPC measurements. */
  readonly rounds: number;
  readonly seconds: number;
  readonly pacedRounds: number;
  readonly inprocSeconds: number;
  readonly pacedSeconds: number;
  readonly write: boolean;
  /** Only the long-sink glob table (section C), written to its own section of docs/benchmarks.md. */
  readonly globsOnly: boolean;
}

const USAGE =
  "options: --rounds N (5) --seconds S (3) --paced-rounds N (3) --inproc-seconds S (2) " +
  `--paced-seconds S (${CYCLE / PACED_RATE}: one workload cycle at ${PACED_RATE} calls/s) --globs-only (only the long-sink glob table) --no-write`;

export function parseOptions(argv: readonly string[]): Options {
  exitOnHelp(argv, USAGE);
  const opts = { rounds: 5, seconds: 3, pacedRounds: 3, inprocSeconds: 2, pacedSeconds: CYCLE / PACED_RATE, write: true, globsOnly: false };
  eachFlag(argv, (arg, value) => {
    if (arg === "--rounds") opts.rounds = Math.round(value());
    else if (arg === "--seconds") opts.seconds = value();
    else if (arg === "--paced-rounds") opts.pacedRounds = Math.round(value());
    else if (arg === "--inproc-seconds") opts.inprocSeconds = value();
    else if (arg === "--paced-seconds") opts.pacedSeconds = value();
    else if (arg === "--no-write") opts.write = false;
    else if (arg === "--globs-only") opts.globsOnly = true;
    else throw new Error(`unknown option ${arg}; ${USAGE}`);
  });
  return opts;
}

const started = performance.now();
export function progress(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${t}s] ${message}\n`);
}

export const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const dec = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
export const ratio = (n: number): string => (Number.isFinite(n) ? `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}×` : "n/a");

export function nproc(): string {
  try {
    return execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    return String(cpus().length);
  }
}

