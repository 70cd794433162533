/** Options of bench:enforcer. */
export interface EnforcerBenchOptions {
  /** Records pre-produced to the source topic; every run consumes all of them. */
  readonly records: number;
  readonly rounds: number;
  readonly pacedRate: number;
  readonly pacedSeconds: number;
  readonly write: boolean;
  /** Only these systems (profiling); both by default. */
  readonly systems: readonly ("pipe" | "enforcer")[];
  readonly guarantees: readonly ("exactly-once" | "at-least-once")[];
  /** A folder for `node --cpu-prof` profiles of the enforcer children; none by default. */
  readonly cpuProfDir: string | undefined;
}

export const USAGE =
  "options: --records N (200000) --rounds N (3) --paced-rate R (2000) --paced-seconds S (5) --only pipe|enforcer " +
  "--guarantee exactly-once|at-least-once --cpu-prof DIR --no-write";

export function parseOptions(argv: readonly string[]): EnforcerBenchOptions {
  const opts = {
    records: 200_000,
    rounds: 3,
    pacedRate: 2000,
    pacedSeconds: 5,
    write: true,
    systems: ["pipe", "enforcer"] as ("pipe" | "enforcer")[],
    guarantees: ["exactly-once", "at-least-once"] as ("exactly-once" | "at-least-once")[],
    cpuProfDir: undefined as string | undefined,
  };
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
    if (arg === "--records") opts.records = Math.round(value());
    else if (arg === "--rounds") opts.rounds = Math.round(value());
    else if (arg === "--paced-rate") opts.pacedRate = value();
    else if (arg === "--paced-seconds") opts.pacedSeconds = value();
    else if (arg === "--no-write") opts.write = false;
    else if (arg === "--cpu-prof") opts.cpuProfDir = text();
    else if (arg === "--only") {
      const v = text();
      if (v !== "pipe" && v !== "enforcer") throw new Error(`--only takes pipe or enforcer, got ${v}`);
      opts.systems = [v];
    } else if (arg === "--guarantee") {
      const v = text();
      if (v !== "exactly-once" && v !== "at-least-once") throw new Error(`--guarantee takes exactly-once or at-least-once, got ${v}`);
      opts.guarantees = [v];
    } else throw new Error(`unknown option ${arg ?? ""}; ${USAGE}`);
  }
  return opts;
}
