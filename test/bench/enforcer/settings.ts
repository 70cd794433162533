/** Options of bench:enforcer. */
import { CLUSTER_BROKERS, CLUSTER_FLAG, exitOnHelp } from "../common/flags";

/** The systems under test, in the order each round runs them: the pipe, the pipe with the enforcer's writes, the enforcer. */
export const SYSTEMS = ["pipe", "pipe-writes", "enforcer"] as const;
export type System = (typeof SYSTEMS)[number];

export interface EnforcerBenchOptions {
  /** Records pre-produced to the source topic; every run consumes all of them. */
  readonly records: number;
  readonly rounds: number;
  readonly pacedRate: number;
  readonly pacedSeconds: number;
  readonly write: boolean;
  /** Only these systems (profiling); all by default. */
  readonly systems: readonly System[];
  readonly guarantees: readonly ("exactly-once" | "at-least-once")[];
  /** A folder for `node --cpu-prof` profiles of every system's children, one subfolder per system and guarantee; none by default. */
  readonly cpuProfDir: string | undefined;
  /** A fresh three-broker cluster instead of the single broker (issue 11, item 6). */
  readonly cluster: boolean;
  /** Processes of the system under test in one consumer group: 1, or one per broker in cluster mode. */
  readonly consumers: number;
  /** Partitions of the source and output topics: enough for every consumer to hold two in cluster mode. */
  readonly partitions: number;
}

/**
 * Rounds, records and guarantees in cluster mode unless `--rounds`, `--records` and `--guarantee`
 * say otherwise: three JVMs and three children per system on 2 cores make each run about three
 * times slower than on one broker, and the whole run stayed within about 5 minutes with two
 * systems (the pipe with the enforcer's writes adds a third run of each guarantee). Exactly-once
 * is the enforcer's default and the guarantee whose counts must come out exact.
 */
const CLUSTER_ROUNDS = 1;
const CLUSTER_RECORDS = 100_000;

export const USAGE =
  `options: --records N (200000) --rounds N (3) --paced-rate R (2000) --paced-seconds S (5) --only ${SYSTEMS.join("|")} ` +
  "--guarantee exactly-once|at-least-once --cpu-prof DIR " +
  `${CLUSTER_FLAG} (${CLUSTER_BROKERS} brokers, ${CLUSTER_BROKERS} processes per system, 6 partitions; records ${CLUSTER_RECORDS}, rounds ${CLUSTER_ROUNDS} and exactly-once unless given) --no-write`;

export function parseOptions(argv: readonly string[]): EnforcerBenchOptions {
  exitOnHelp(argv, USAGE);
  const opts = {
    records: 200_000,
    rounds: 3,
    pacedRate: 2000,
    pacedSeconds: 5,
    write: true,
    systems: [...SYSTEMS] as System[],
    guarantees: ["exactly-once", "at-least-once"] as ("exactly-once" | "at-least-once")[],
    cpuProfDir: undefined as string | undefined,
    cluster: false,
  };
  let rounds: number | undefined;
  let records: number | undefined;
  let guarantees: ("exactly-once" | "at-least-once")[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const text = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg ?? ""} needs a value; ${USAGE}`);
      return v;
    };
    const value = (): number => {
      const v = Number(text());
      if (!(v > 0)) throw new Error(`${arg ?? ""} needs a positive number`);
      return v;
    };
    if (arg === "--records") records = Math.round(value());
    else if (arg === "--rounds") rounds = Math.round(value());
    else if (arg === CLUSTER_FLAG) opts.cluster = true;
    else if (arg === "--paced-rate") opts.pacedRate = value();
    else if (arg === "--paced-seconds") opts.pacedSeconds = value();
    else if (arg === "--no-write") opts.write = false;
    else if (arg === "--cpu-prof") opts.cpuProfDir = text();
    else if (arg === "--only") {
      const v = text();
      const system = SYSTEMS.find((s) => s === v);
      if (system === undefined) throw new Error(`--only takes ${SYSTEMS.join(", ")}, got ${v}`);
      opts.systems = [system];
    } else if (arg === "--guarantee") {
      const v = text();
      if (v !== "exactly-once" && v !== "at-least-once") throw new Error(`--guarantee takes exactly-once or at-least-once, got ${v}`);
      guarantees = [v];
    } else throw new Error(`unknown option ${arg ?? ""}; ${USAGE}`);
  }
  const consumers = opts.cluster ? CLUSTER_BROKERS : 1;
  return {
    ...opts,
    records: records ?? (opts.cluster ? CLUSTER_RECORDS : opts.records),
    guarantees: guarantees ?? (opts.cluster ? ["exactly-once"] : opts.guarantees),
    rounds: rounds ?? (opts.cluster ? CLUSTER_ROUNDS : opts.rounds),
    consumers,
    partitions: opts.cluster ? 2 * consumers : 4,
  };
}
