/**
 * `npm run bench:enforcer`: the stream enforcer against a kafkajs pass-through pipe, and against
 * the same pipe writing what the enforcer writes, on one local broker, same topics layout, same
 * batching, same delivery guarantee (test/bench/README.md). Each round runs the three in turn.
 * Writes its own section of docs/benchmarks.md. Options: `npm run bench:enforcer -- --help` (settings.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import { installHandlers, onExit, stopAll } from "../common/children";
import { startBenchBroker, type BenchKafka } from "../common/bench-broker";
import { repoRoot } from "../common/report";
import { nproc, progress, int, dec } from "../pdp/settings";
import { createTopics, preProduce } from "./broker-io";
import { finish } from "./results";
import { measureRun, type RunContext, type RunResult } from "./run";
import { parseOptions } from "./settings";
import { bundleYaml } from "./workload";

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  installHandlers();
  const date = new Date();
  const machine = [
    `Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  ];
  for (const m of machine) progress(m);
  const workDir = mkdtempSync(join(tmpdir(), "flowzone-bench-enforcer-"));
  onExit(() => { rmSync(workDir, { recursive: true, force: true }); });

  let broker: BenchKafka | undefined;
  try {
    broker = await startBenchBroker(repoRoot(), progress, { cluster: opts.cluster });
    machine.push(`Node ${process.version}; kafkajs 2.2.4; Kafka: ${broker.description}`);
    const kafka = createKafka({ brokers: broker.brokers.split(","), clientId: "bench-enforcer-main", logger: createLogger({ level: "error", service: "flowzone-bench" }) });

    const source = `bench-source-${Date.now().toString(36)}`;
    await createTopics(kafka, [{ topic: source, partitions: opts.partitions }]);
    progress(`pre-producing ${int(opts.records)} records to ${source} (${opts.partitions} partitions)`);
    await preProduce(kafka, source, opts.records, (done) => { progress(`  ${int(done)} produced`); });

    const ctx: RunContext = { kafka, brokers: broker.brokers, source, policyDir: writePolicy(workDir), opts };
    const results: RunResult[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      for (const guarantee of opts.guarantees) {
        for (const system of opts.systems) {
          const r = await measureRun(ctx, system, guarantee);
          results.push(r);
          progress(
            `round ${round}/${opts.rounds}: ${system} ${guarantee}: ${int(r.recordsPerSec)} records/s, CPU ${dec(r.cpuPer100k)} s/100k, peak RSS ${int(r.peakRssMiB)} MiB, ` +
              `latency p50 ${int(r.latency.p50Ms)} ms p99 ${int(r.latency.p99Ms)} ms (${r.latency.received}/${r.latency.expected} read), ` +
              `${r.counts.transactions} commits, forwarded ${r.counts.forwarded}, quarantined ${r.counts.quarantined}, audits ${r.counts.audits}`,
          );
        }
      }
    }
    finish(opts, date, machine, results);
  } finally {
    await stopAll();
    if (broker !== undefined) {
      progress("stopping the broker");
      await broker.stop();
    }
    rmSync(workDir, { recursive: true, force: true });
  }
}

function writePolicy(workDir: string): string {
  const dir = mkdtempSync(join(workDir, "policy-"));
  writeFileSync(join(dir, "bundle.yaml"), bundleYaml());
  return dir;
}

main().then(
  () => { process.exit(0); },
  (error: unknown) => {
    process.stderr.write(`\nbench:enforcer FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
