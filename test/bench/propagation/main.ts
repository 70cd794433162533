/**
 * `npm run bench:propagation`: how long a zone flip takes to reach every decision-service
 * replica (issue 4, item 5: API acknowledgement → every replica deciding under the new mode,
 * three replicas, goal p99 ≤ 500 ms). Starts a local Kafka broker, the control plane with its
 * HTTP API and three decision services, each its own process; flips a zone in logging to
 * enforcement (forced: the probes keep its backlog open) and back, N times, probing every
 * replica over gRPC while each flip propagates. Reports each server process's peak RSS and CPU per
 * flip. Writes its section of docs/benchmarks.md.
 * With `--cluster` (issue 11, item 6: goal p99 ≤ 50 ms) the same on a fresh three-broker cluster
 * while every replica serves paced zones-20 load, written to its own section.
 *
 * Options: --flips N (100) --warmup N (4) --replicas N (3) --probe-ms MS (5) --gap-ms MS (300)
 *          --timeout-ms MS (10000) --pglite --cluster --load-rate N --no-write (print only)
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { AUDIT_TOPIC, CONTROL_TOPIC, createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import type { Child } from "../common/children";
import { startBenchBroker, type BenchKafka } from "../common/bench-broker";
import { endChild, installHandlers, onExit, startChild, stopAll } from "../common/children";
import { cpuSeconds } from "../common/cpu";
import { peakRssMiB } from "../common/memory";
import { repoRoot, writeSection } from "../common/report";
import { checkAuditedFlips } from "./audit-check";
import { writeBundle, ZONE } from "./bundle";
import type { ControlChildConfig, ControlReady, FeedBatch, FeedBatchLine, FlipTrace, FlipTraceLine, PdpChildConfig, PdpReady } from "./child-protocol";
import type { LoadSummary, RunningLoad } from "./load";
import { startLoadProcess } from "./load-process";
import { measureFlips, prepare } from "./measure";
import { runMode } from "./mode";
import { Replica } from "./probe";
import { renderSection, summarize, type ServerResources } from "./results";
import type { Options } from "./settings";
import { ms, nproc, parseOptions, progress } from "./settings";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test";

async function startControl(config: ControlChildConfig): Promise<{ child: Child; ready: ControlReady["benchControl"]; traces: Map<string, FlipTrace> }> {
  const { child, value } = await startChild(
    "control plane",
    process.execPath,
    [join(__dirname, "control-child.js"), JSON.stringify(config)],
    (line) => (line.startsWith('{"benchControl"') ? (JSON.parse(line) as ControlReady).benchControl : undefined),
    90_000,
  );
  const traces = new Map<string, FlipTrace>();
  const stdout = child.process.stdout;
  if (stdout !== null) {
    createInterface({ input: stdout }).on("line", (line) => {
      if (!line.startsWith('{"benchFlip"')) return;
      const trace = (JSON.parse(line) as FlipTraceLine).benchFlip;
      traces.set(trace.reason, trace);
    });
  }
  return { child, ready: value, traces };
}

async function startReplica(name: string, config: PdpChildConfig): Promise<{ child: Child; ready: PdpReady; feed: FeedBatch[] }> {
  const feed: FeedBatch[] = [];
  const { child, value } = await startChild(
    name,
    process.execPath,
    [join(__dirname, "pdp-child.js"), JSON.stringify(config)],
    (line) => (line.startsWith('{"benchPort"') ? (JSON.parse(line) as PdpReady) : undefined),
    90_000,
  );
  const stdout = child.process.stdout;
  if (stdout !== null) {
    createInterface({ input: stdout }).on("line", (line) => {
      if (line.startsWith('{"benchFeed"')) feed.push((JSON.parse(line) as FeedBatchLine).benchFeed);
    });
  }
  return { child, ready: value, feed };
}

function method(opts: Options, kafka: BenchKafka, database: string): string[] {
  const load =
    opts.loadRate > 0
      ? [
          `Under load: from before the warm-up flips to after the last one, bench:pdp's paced open-loop generator (its own process, so it does not delay the probes) sends ${opts.loadRate} unary zones-20 \`Check\` calls/s ` +
            `to every replica (${opts.loadRate * opts.replicas} calls/s in all; the bundle holds the zones-20 zones beside the flipped one), each answer compared with the workload's decision; ` +
            "their denies are audited, so the audit topic and the control plane's backlog take that load too.",
        ]
      : [];
  return [
    `Kafka: ${kafka.description}; the control plane (\`startControlPlane\` + \`startControlService\`, HTTP API, no tokens) on ${database}; ` +
      `${opts.replicas} decision-service replicas (\`startDecisionService\` with the broker: each follows \`${CONTROL_TOPIC}\` through policy-runtime and control-feed and audits to \`${AUDIT_TOPIC}\`). ` +
      "Every one of them is its own Node process; the benchmark is another.",
    `One zone \`${ZONE}\`, initially in logging; the probe write (protected label, sink outside the zone) is ALLOWed in logging and DENYed in enforcement. ` +
      "Before measuring, the probes give the zone traffic and open violations, and an unforced flip to enforcement is checked to be refused (409 `not_drained`).",
    `${opts.warmup} warm-up flips, then ${opts.flips} measured flips alternating logging → enforcement (\`force: true\` with a reason) → logging, ` +
      `${opts.gapMs}–${2 * opts.gapMs} ms apart (random, so flips land at every phase of the followers' fetch cycle).`,
    `During each flip every replica is probed with a unary \`Check\` over gRPC every ${opts.probeMs} ms, one call in flight per replica; a replica has converged at its first answer ` +
      "whose `policy_version` carries a newer epoch, and that answer must give the new mode's decision (else the run fails). All replicas must then agree.",
    "After the run the audit topic must hold every flip, in order, with the epoch the replicas reported (and forced when it went to enforcement).",
    ...load,
    "Percentiles are nearest-rank over the measured flips; times are wall-clock milliseconds, with the probe period as resolution.",
    "Server resources: each process's peak RSS (VmHWM, /proc) read after the run, before it stops; its CPU (user + system, all threads, /proc) from the first measured flip " +
      `to the end of the last one's pause, divided by the measured flips, so it holds the probes answered and the idle fetches between flips${opts.loadRate > 0 ? ", and the load served" : ""}.`,
  ];
}

interface ServerProcess {
  readonly name: string;
  readonly pid: number;
}

/** Each server's peak RSS as it is now, and its CPU between the readings `before` and `after`, per measured flip. */
function serverResources(servers: readonly ServerProcess[], before: readonly number[], after: readonly number[], flips: number): ServerResources[] {
  return servers.map((s, i) => ({
    process: s.name,
    peakRssMiB: peakRssMiB(s.pid),
    cpuMsPerFlip: (((after[i] ?? NaN) - (before[i] ?? NaN)) * 1000) / flips,
  }));
}

function loadNote(load: LoadSummary): string {
  return (
    `Load served during the flips: ${load.calls.toLocaleString("en-US")} zones-20 \`Check\` calls over ${load.seconds.toFixed(0)} s to ${load.replicas} replicas ` +
    `(${load.ratePerReplica} calls/s each, paced), every decision as the workload defines; call latency p50 ${ms(load.p50Ms)} ms, p99 ${ms(load.p99Ms)} ms, ` +
    `sends late p99 ${ms(load.lateP99Ms)} ms (medians over 2 s rounds and replicas).`
  );
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  installHandlers();
  const date = new Date();
  const [load1 = 0] = loadavg();
  const machine = [`Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`, `Node ${process.version}`];
  if (load1 > Number(nproc())) {
    machine.push(`**Busy machine**: load average ${load1.toFixed(2)} on ${nproc()} cores before the run started; every process here competes with other work, so the tail is inflated.`);
  }
  for (const m of machine) progress(m);

  const workDir = mkdtempSync(join(tmpdir(), "flowzone-bench-propagation-"));
  onExit(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  const logger = createLogger({ level: "error", service: "flowzone-bench" });
  const mode = runMode(opts);
  let broker: BenchKafka | undefined;
  let control: Child | undefined;
  let load: RunningLoad | undefined;
  const replicas: Replica[] = [];
  try {
    broker = await startBenchBroker(repoRoot(), progress, { cluster: opts.cluster });

    const policyDir = join(workDir, "policy");
    writeBundle(policyDir, opts.loadRate > 0);
    const databaseUrl = opts.pglite ? "" : (process.env["DATABASE_URL"] ?? DEFAULT_DATABASE_URL);
    const controlStarted = await startControl({
      brokers: broker.brokers,
      policyDir,
      databaseUrl,
      schema: `bench_propagation_${randomBytes(4).toString("hex")}`,
      pgliteDir: join(workDir, "pglite"),
    });
    control = controlStarted.child;
    const controlUrl = `http://127.0.0.1:${controlStarted.ready.httpPort}`;
    progress(`control plane ready at ${controlUrl} (${controlStarted.ready.database})`);

    const names = Array.from({ length: opts.replicas }, (_, i) => `replica ${i + 1}`);
    const started3 = await Promise.all(
      names.map((name, i) => {
        const auditSpoolDir = join(workDir, `spool-${i + 1}`);
        mkdirSync(auditSpoolDir, { recursive: true });
        return startReplica(name, { brokers: broker?.brokers ?? "", policyDir, auditSpoolDir });
      }),
    );
    for (const [i, s] of started3.entries()) {
      progress(`${names[i] ?? "?"} ready at 127.0.0.1:${s.ready.benchPort} (pid ${s.child.pid}), policy version ${s.ready.policyVersion}`);
      replicas.push(await Replica.connect(names[i] ?? "?", `127.0.0.1:${s.ready.benchPort}`));
    }

    const settings = { controlUrl, replicas, flips: opts.flips, warmup: opts.warmup, probeMs: opts.probeMs, gapMs: opts.gapMs, timeoutMs: opts.timeoutMs };
    const { blockers } = await prepare(settings);
    progress(`unforced flip to enforcement refused (409 not_drained): ${blockers.join("; ")}`);
    if (opts.loadRate > 0) {
      load = await startLoadProcess({ addresses: replicas.map((r) => r.address), ratePerReplica: opts.loadRate });
      progress(`load: ${opts.loadRate} zones-20 Check calls/s on each replica`);
    }
    const servers: ServerProcess[] = [{ name: "control plane", pid: controlStarted.child.pid }, ...started3.map((s, i) => ({ name: names[i] ?? "?", pid: s.child.pid }))];
    const cpuNow = (): number[] => servers.map((s) => cpuSeconds(s.pid));
    let cpuBefore: number[] = [];
    progress(`measuring ${opts.warmup} + ${opts.flips} flips`);
    const flips = await measureFlips({ ...settings, onMeasuredStart: () => { cpuBefore = cpuNow(); } });
    const cpuAfter = cpuNow();
    const served = await load?.stop();
    load = undefined;

    const kafka = createKafka({ brokers: broker.brokers.split(","), clientId: "bench-propagation", logger });
    const audited = await checkAuditedFlips(kafka, AUDIT_TOPIC, flips);
    progress(`audit: ${audited}`);

    const summary = summarize(flips, controlStarted.traces, started3.map((s) => s.feed), names, CONTROL_TOPIC, AUDIT_TOPIC, mode);
    const notes = [
      `Verified: ${audited}.`,
      ...(served === undefined ? [] : [loadNote(served)]),
      `${summary.beforeAck} of ${summary.measured.length * opts.replicas} replica convergences came before the HTTP 200: the control record is published inside the flip's transaction, before it commits and before the zone is read back.`,
      `Follower fetches that delivered a flip: ${summary.waitingFetches.waiting} of ${summary.waitingFetches.of} were already waiting at the broker (long poll, \`maxWaitTimeInMs\`) when the control produce started; the others were issued after it.`,
      `Unforced flip to enforcement first refused with 409 \`not_drained\`: ${blockers.join("; ")}.`,
    ];
    const resources = serverResources(servers, cpuBefore, cpuAfter, opts.flips);
    const section = renderSection({ mode, date, command: `npm run bench:propagation${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`, machine, method: method(opts, broker, controlStarted.ready.database), summary, resources, notes });
    process.stdout.write(`\n${section}\n`);
    progress(`${mode.goal}: goal p99 ≤ ${mode.goalP99Ms} ms, measured ${ms(summary.p99)} ms, ${summary.goal.met ? "met" : "MISSED"}`);
    if (opts.write) progress(`wrote ${writeSection(mode.section, section)}`);
  } finally {
    await load?.stop().catch(() => undefined);
    for (const replica of replicas) replica.close();
    if (control !== undefined) await endChild(control, 10_000);
    await stopAll();
    await broker?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:propagation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
