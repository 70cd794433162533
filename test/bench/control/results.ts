/** The tables and goals of bench:control, printed and written to its section of docs/benchmarks.md. */
import { goalsTable, markdownTable, writeSection, type Goal } from "../common/report";
import type { EndpointLatency } from "./api-latency";
import { FILLED_ZONE } from "./backlog-flows";
import type { StoreResult } from "./run-store";
import { dec, GOAL_MEDIAN_MS, int, type ControlBenchOptions } from "./settings";

const perSecond = (records: number, ms: number): number => (records * 1000) / ms;

/** The walk's pages are the way to the deep page, shown for their size, not a goal. */
const isGoal = (endpoint: EndpointLatency): boolean => !endpoint.endpoint.startsWith("the walk");

function method(opts: ControlBenchOptions): string[] {
  return [
    "The control plane as `flowzone control` runs it (`startControlPlane` + `startControlService`, HTTP on 127.0.0.1, no tokens) on the zones-20 bundle, in the benchmark's process, " +
      "with its own topics on one local single-node Kafka broker (`@flowzone/kafka-local`); each database is fresh (a private schema on the server, dropped after; PGlite in a temporary directory) and migrated by `openDatabase`.",
    `Workload "backlog-1m" (test/bench/README.md): zone \`${FILLED_ZONE}\` filled with ${int(opts.signatures)} open signatures of distinct producers \`svc:p-i\`, one sink, one label, one second apart, ` +
      "by set-based `INSERT ... SELECT` over `generate_series` (100,000 rows a statement) with ids as `signatureId` computes them; the kept counts follow through the store's statement triggers (migration 9), as for any insert. " +
      "The run fails unless the API then reports exactly that many open signatures.",
    `Latency: ${opts.warmup} warm-up requests, then ${opts.requests} timed ones per endpoint, one at a time (fetch, keep-alive), each answer read whole and parsed; nearest-rank median and p99. ` +
      "The deep page is reached as a client reaches it: following `nextCursor` from the first page, 1,000 signatures a page (the API's largest), until half the backlog lies behind; then the default page at that cursor is timed.",
    `Ingestion: ${int(opts.ingest)} violation audit records, each a new signature of the zone, encoded by \`encodeViolationAudit\` (the decision service's encoder) and published (kafkajs, idempotent, acks all, 1,000 a send) to the control plane's audit topic while its backlog consumer runs; ` +
      "timed from the first send until the zone's kept count holds all of them (then checked through the API). Reference, same run: a bare kafkajs consumer reading the same topic to its end, timed from joining its group to its last record. " +
      "Process CPU: user + system time of the benchmark's process over the ingestion (the control plane, the publisher and PGlite run in it; the PostgreSQL server's own CPU is not counted).",
  ];
}

const NOTES = [
  "Statistics decide the deep pages. On the server the fill is followed by `ANALYZE violation_signatures`, which its autovacuum does by itself minutes after a fill like this one. " +
    "Measured without it on the server (1,000,000 signatures, the walk's query, `status` all, `LIMIT 1000` after a cursor): 4.2 s a page, because the planner, on default estimates of 454 matching rows, " +
    "took a bitmap scan of all 980,198 rows after the cursor and a top-N sort over the ordered scan of `violation_signatures_page_all` (EXPLAIN ANALYZE). " +
    "PGlite runs no autovacuum: there the control plane's tick analyzes each growing table that doubled since its last ANALYZE (planner-statistics.ts), and the run calls one tick after the fill instead of analyzing by hand.",
  "The kept counts are updated once per statement since migration 9 (transition tables, one aggregated upsert per table). Migration 8's row trigger updated the zone's counter row once per signature, " +
    "quadratic in the rows of one statement: the fill had to pause it (50,000 rows in one statement passed the 30 s statement timeout), and one INSERT of 4,000 signatures of one zone took a median 331 ms on the server and 505 ms on PGlite " +
    "against 85 ms and 126 ms with the statement triggers (measured apart from this run, 7 inserts each, load average about 3.5 on 2 cores).",
];

function latencyTable(results: readonly StoreResult[]): string {
  const rows = results.flatMap((r) => r.endpoints.map((e) => [r.kind, e.endpoint, dec(e.medianMs), dec(e.p99Ms), int(e.requests), isGoal(e) ? (e.medianMs <= GOAL_MEDIAN_MS ? "yes" : "**no**") : "-"]));
  return markdownTable(["database", "request", "median ms", "p99 ms", "requests", `median ≤ ${GOAL_MEDIAN_MS} ms`], rows);
}

function ingestionTable(results: readonly StoreResult[]): string {
  const rows = results.map((r) => {
    const ingest = perSecond(r.ingestion.records, r.ingestion.ingestMs);
    const read = perSecond(r.bareRead.records, r.bareRead.readMs);
    const cpuPer1k = (r.ingestion.cpuMs / r.ingestion.records) * 1000;
    return [r.kind, int(r.ingestion.records), int(ingest), int(perSecond(r.ingestion.records, r.ingestion.publishMs)), int(read), `${dec(ingest / read, 3)}×`, dec(cpuPer1k)];
  });
  return markdownTable(
    ["database", "signatures", "backlog ingestion, signatures/s", "publishing alone, records/s", "bare consumer (reference), records/s", "ingestion ÷ reference", "process CPU ms / 1,000 signatures"],
    rows,
  );
}

export function render(opts: ControlBenchOptions, date: Date, machine: readonly string[], results: readonly StoreResult[], peakRssMb: number): void {
  const goals: Goal[] = results.flatMap((r) =>
    r.endpoints.filter(isGoal).map((e) => ({ what: `${r.kind}: ${e.endpoint}, median`, measured: `${dec(e.medianMs)} ms`, target: `≤ ${GOAL_MEDIAN_MS} ms`, met: e.medianMs <= GOAL_MEDIAN_MS })),
  );
  const body = [
    "## Control plane at size (`npm run bench:control`)",
    "",
    "Written by `npm run bench:control` (test/bench/control/main.ts); do not edit by hand, rerun it.",
    "",
    `- Date: ${date.toISOString()}`,
    `- Command: \`npm run bench:control${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\``,
    ...machine.map((m) => `- ${m}`),
    ...results.map((r) => `- ${r.kind}: ${r.database}; filled in ${dec(r.fillMs / 1000, 1)} s`),
    `- Peak RSS of the benchmark's process (the control plane, PGlite and the load in one): ${int(peakRssMb)} MB`,
    "",
    "### Method",
    "",
    ...method(opts).map((m) => `- ${m}`),
    "",
    `### API latency with ${int(opts.signatures)} open signatures in one zone`,
    "",
    latencyTable(results),
    "",
    "### Backlog ingestion from the audit topic",
    "",
    ingestionTable(results),
    "",
    "### Goals",
    "",
    goalsTable(goals),
    "",
    "### Notes",
    "",
    ...NOTES.map((n) => `- ${n}`),
    "",
  ].join("\n");
  process.stdout.write(`${body}\n`);
  if (opts.write) process.stderr.write(`wrote ${writeSection("control", body)}\n`);
}
