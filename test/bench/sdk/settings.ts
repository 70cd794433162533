import { eachFlag, exitOnHelp } from "../common/flags";

/** Options of bench:sdk. */
export interface SdkBenchOptions {
  readonly rounds: number;
  readonly seconds: number;
  /** Of each system in the warm-up round, which is not counted. */
  readonly warmupSeconds: number;
  /** Messages per send. */
  readonly batch: number;
  readonly valueBytes: number;
  readonly write: boolean;
}

const USAGE = "options: --rounds N (5) --seconds S (5) --warmup-seconds S (2) --batch N (100 messages per send) --value-bytes N (200) --no-write";

export function parseSdkOptions(argv: readonly string[]): SdkBenchOptions {
  exitOnHelp(argv, USAGE);
  const opts = { rounds: 5, seconds: 5, warmupSeconds: 2, batch: 100, valueBytes: 200, write: true };
  eachFlag(argv, (arg, value) => {
    if (arg === "--rounds") opts.rounds = Math.round(value());
    else if (arg === "--seconds") opts.seconds = value();
    else if (arg === "--warmup-seconds") opts.warmupSeconds = value();
    else if (arg === "--batch") opts.batch = Math.round(value());
    else if (arg === "--value-bytes") opts.valueBytes = Math.round(value());
    else if (arg === "--no-write") opts.write = false;
    else throw new Error(`unknown option ${arg}; ${USAGE}`);
  });
  return opts;
}
