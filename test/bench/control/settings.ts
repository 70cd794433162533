/** Options and formatting of `npm run bench:control`. */
import { eachFlag, exitOnHelp } from "../common/flags";

export { dec, int, nproc } from "../pdp/settings";

/** Issue 12, item 7: zone status, the zones list and a page of violations each at a median of at most this. */
export const GOAL_MEDIAN_MS = 50;

export type StoreKind = "server" | "pglite";

export interface ControlBenchOptions {
  /** Open violation signatures the filled zone holds before anything is measured. */
  readonly signatures: number;
  /** Timed requests per endpoint, after the warm-up ones. */
  readonly requests: number;
  /** Untimed requests per endpoint first (connections, JIT, the database's caches). */
  readonly warmup: number;
  /** Violation audit records published for the ingestion measure, each a new signature. */
  readonly ingest: number;
  readonly databases: readonly StoreKind[];
  readonly write: boolean;
}

const USAGE = "options: --signatures N (1000000) --requests N (50) --warmup N (5) --ingest N (20000) --databases server,pglite --no-write";

export function parseControlOptions(argv: readonly string[]): ControlBenchOptions {
  exitOnHelp(argv, USAGE);
  const opts = { signatures: 1_000_000, requests: 50, warmup: 5, ingest: 20_000, databases: ["server", "pglite"] as StoreKind[], write: true };
  // --databases takes a list, not the positive number eachFlag reads, so it is taken out first.
  const rest = [...argv];
  const at = rest.indexOf("--databases");
  if (at >= 0) opts.databases = storeKinds(rest.splice(at, 2)[1]);
  eachFlag(rest, (arg, value) => {
    if (arg === "--signatures") opts.signatures = Math.round(value());
    else if (arg === "--requests") opts.requests = Math.round(value());
    else if (arg === "--warmup") opts.warmup = Math.round(value());
    else if (arg === "--ingest") opts.ingest = Math.round(value());
    else if (arg === "--no-write") opts.write = false;
    else throw new Error(`unknown option ${arg}; ${USAGE}`);
  });
  return opts;
}

function storeKinds(list: string | undefined): StoreKind[] {
  const kinds = (list ?? "").split(",");
  if (!kinds.every((kind): kind is StoreKind => kind === "server" || kind === "pglite")) throw new Error(`--databases needs a list of server and pglite; ${USAGE}`);
  return [...new Set(kinds)];
}

const started = performance.now();
/** Progress on stderr, so the long steps (filling, walking pages) show while stdout stays the report. */
export function progress(message: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${t}s] ${message}\n`);
}
