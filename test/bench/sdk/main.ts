/**
 * `npm run bench:sdk`: the guarded producer (embedded, remote with and without its cache) against
 * a bare kafkajs producer on one local broker, same topic, message sizes, batching and delivery
 * settings (idempotent, acks -1), and beside them the bare producer writing the same flowzone
 * headers, kafkajs' own cost of them. CPU per message of this process (the producers) and of the
 * decision service's, and both peak RSS, are reported. Rounds interleave the systems; medians of the rounds and the
 * ratio to bare are written to docs/benchmarks.md (section bench:sdk).
 *
 * Options: `npm run bench:sdk -- --help` (settings.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import type { Message } from "kafkajs";

import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import { installHandlers, onExit, startChild, stopAll } from "../common/children";
import { startBenchBroker, type BenchKafka } from "../common/bench-broker";
import { cpuSeconds } from "../common/cpu";
import { peakRssMiB } from "../common/memory";
import { repoRoot } from "../common/report";
import { render, type RoundResult } from "./results";
import { SYSTEM_LABELS, startSystem, type SystemContext, type SystemName } from "./systems";
import { parseSdkOptions } from "./settings";

const SYSTEMS: readonly SystemName[] = ["bare", "bare-headers", "embedded", "remote-cache", "remote-nocache"];

function rotated<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function measure(forSeconds: number, ctx: SystemContext, name: SystemName, messages: Message[], pdpPid: number): Promise<RoundResult> {
  const system = await startSystem(name, ctx);
  try {
    // Warm-up: connections, metadata, the first decision (and cache fill).
    for (let i = 0; i < 5; i++) await system.send(messages);
    let sends = 0;
    const cpu0 = process.cpuUsage();
    const pdpCpu0 = cpuSeconds(pdpPid);
    const started = process.hrtime.bigint();
    const until = started + BigInt(Math.round(forSeconds * 1e9));
    while (process.hrtime.bigint() < until) {
      await system.send(messages);
      sends += 1;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const sent = sends * messages.length;
    return {
      system: name,
      messagesPerSec: sent / seconds,
      sends,
      clientCpuUsPerMessage: (cpu.user + cpu.system) / sent,
      pdpCpuUsPerMessage: ((cpuSeconds(pdpPid) - pdpCpu0) * 1e6) / sent,
      stats: system.stats(),
    };
  } finally {
    await system.close();
  }
}

async function main(): Promise<void> {
  const opts = parseSdkOptions(process.argv.slice(2));
  installHandlers();
  const date = new Date();
  const machine = [
    `Machine: nproc ${cpus().length}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    `Node ${process.version}; kafkajs 2.2.4; broker: the local single-node KRaft broker of @flowzone/kafka-local`,
  ];
  for (const line of machine) progress(line);
  const workDir = mkdtempSync(join(tmpdir(), "flowzone-bench-sdk-"));
  onExit(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  let broker: BenchKafka | undefined;
  try {
    broker = await startBenchBroker(repoRoot(), progress);
    const policyDir = join(repoRoot(), "examples", "bundle");
    const { child: pdp, value: port } = await startChild(
      "pdp",
      process.execPath,
      [join(__dirname, "pdp-child.js"), policyDir],
      (line) => (line.startsWith("{") ? (JSON.parse(line) as { benchPort?: number }).benchPort : undefined),
      60_000,
    );
    progress(`decision service on 127.0.0.1:${port}`);
    const logger = createLogger({ level: "error", service: "flowzone-bench-sdk" });
    const kafka = createKafka({ brokers: [broker.brokers], clientId: "bench-sdk", logger });
    const topic = `banana-bench-${Date.now().toString(36)}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const ctx: SystemContext = { kafka, logger, topic, policyDir, pdpAddress: `127.0.0.1:${port}`, workDir };
    const messages: Message[] = Array.from({ length: opts.batch }, () => ({ value: randomBytes(opts.valueBytes) }));

    // A warm-up round, not counted: the first producer of the first round otherwise ran on a
    // cold broker and a cold JIT, at a third of its later rounds.
    for (const name of SYSTEMS) {
      await measure(opts.warmupSeconds, ctx, name, messages, pdp.pid);
      progress(`warm-up: ${SYSTEM_LABELS[name]}`);
    }
    const results: RoundResult[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      // The order rotates each round, so no system always runs first or after the same one.
      for (const name of rotated(SYSTEMS, round - 1)) {
        const r = await measure(opts.seconds, ctx, name, messages, pdp.pid);
        results.push(r);
        progress(`round ${round}/${opts.rounds}: ${SYSTEM_LABELS[name]}: ${Math.round(r.messagesPerSec).toLocaleString("en-US")} messages/s (${r.sends} sends${r.stats === "" ? "" : `; ${r.stats}`})`);
      }
    }
    // process.resourceUsage's maxRSS is in KiB.
    render(opts, date, machine, results, { benchMiB: process.resourceUsage().maxRSS / 1024, pdpMiB: peakRssMiB(pdp.pid) });
  } finally {
    await stopAll();
    if (broker !== undefined) await broker.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:sdk failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
