/**
 * `npm run bench:control`: the control plane's API at a real organisation's size (issue 12,
 * item 7). For each database (the PostgreSQL server, PGlite) a fresh store is filled with one
 * zone of N open signatures; then the median and p99 of zone status, the zones list, the first
 * page of violations and a page half the backlog deep (goal: each median ≤ 50 ms), and backlog
 * ingestion from the audit topic in signatures/s beside a bare consumer reading the same topic.
 * Writes its section of docs/benchmarks.md. Method: results.ts.
 *
 * Options: --signatures N (1000000) --requests N (50) --warmup N (5) --ingest N (20000)
 *          --databases server,pglite --no-write (print only)
 */
import { cpus, loadavg } from "node:os";

import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import { startBenchBroker, type BenchKafka } from "../common/bench-broker";
import { installHandlers } from "../common/children";
import { repoRoot } from "../common/report";
import { render } from "./results";
import { runStore, type StoreResult } from "./run-store";
import { nproc, parseControlOptions, progress } from "./settings";

async function main(): Promise<void> {
  const opts = parseControlOptions(process.argv.slice(2));
  installHandlers();
  const date = new Date();
  const machine = [
    `Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    `Node ${process.version}; kafkajs 2.2.4; broker: the local single-node KRaft broker of @flowzone/kafka-local`,
  ];
  for (const line of machine) progress(line);
  const logger = createLogger({ level: "error", service: "flowzone-bench-control" });
  let broker: BenchKafka | undefined;
  try {
    broker = await startBenchBroker(repoRoot(), progress);
    const kafka = createKafka({ brokers: [broker.brokers], clientId: "bench-control", logger });
    const results: StoreResult[] = [];
    for (const kind of opts.databases) results.push(await runStore(kind, kafka, opts, logger, progress));
    render(opts, date, machine, results, process.resourceUsage().maxRSS / 1024);
  } finally {
    if (broker !== undefined) await broker.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:control failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
