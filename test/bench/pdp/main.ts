/**
 * `npm run bench:pdp`: flowzone's engine and decision service against their references on the
 * zones-20 workload, side by side in one run (test/bench/README.md). Writes docs/benchmarks.md.
 *
 * Options: `npm run bench:pdp -- --help` (settings.ts); `--globs-only` runs only table C, decide
 * time for long sinks against multi-star globs (globs.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type * as grpc from "@grpc/grpc-js";
import { onExit, stopAll } from "../common/children";
import { peakRssMiB } from "../common/memory";
import { splitFlowzoneBatch } from "../common/codec";
import type { InProcessResult } from "../common/inprocess";
import { measureCycles, measureInProcess } from "../common/inprocess";
import type { CallPool, RunResult } from "../common/load-generator";
import { collectResponses, connect, runClosedLoop, runPaced, runStreams, waitForReady } from "../common/load-generator";
import { BATCH_SIZE, buildPools } from "../common/pools";
import { writeReplies } from "../common/replies";
import { denyFraction, median } from "../common/stats";
import { CYCLE } from "../common/workload";
import { CEDAR_PACKAGE_VERSION, cedarDecider, cedarVersion } from "./cedar";
import { CERBOS_VERSION, startCerbos } from "./cerbos";
import { batchPathCycle, engineDecider, startEcho, startFlowzone } from "./flowzone";
import { reportGlobBench, runGlobBench } from "./globs";
import { finish } from "./results";
import type { Options } from "./settings";
import { IN_FLIGHT, PACED_RATE, READING_ECHO, STREAMS, STREAM_WINDOW, dec, int, nproc, parseOptions, progress } from "./settings";
import type { InProcessSummary, Mode, ModeResults, PacedSummary } from "./summaries";
import { measureRound, summarize } from "./summaries";


const ENGINE_ROW = "flowzone engine (PolicyEngine.decide; bundle parsed and compiled once, untimed)";
const CEDAR_ROW = `Cedar ${cedarVersion()} (cedar-wasm ${CEDAR_PACKAGE_VERSION}, statefulIsAuthorized; policy set pre-parsed, untimed)`;
const BATCH_PATH_ROW = `diagnostic: the decision service's CheckBatch path without gRPC (its decoder, handler and answer writer, ${BATCH_SIZE} per batch)`;

function runInProcess(opts: Options, batchPayloads: readonly Uint8Array[]): InProcessSummary[] {
  const engine = engineDecider();
  const cedar = cedarDecider();
  const batchPath = batchPathCycle(batchPayloads);
  const contenders: [string, (name: string, ms: number) => InProcessResult][] = [
    [ENGINE_ROW, (name, ms) => measureInProcess(name, engine, ms)],
    [CEDAR_ROW, (name, ms) => measureInProcess(name, cedar, ms)],
    [BATCH_PATH_ROW, (name, ms) => measureCycles(name, batchPath, ms)],
  ];
  const summaries = contenders.map(([name]) => ({ name, perRound: [] as number[], checks: 0, fraction: NaN }));
  for (const [name, measure] of contenders) measure(name, 200); // warm-up
  for (let r = 1; r <= opts.rounds; r++) {
    contenders.forEach(([name, measure], i) => {
      const res = measure(name, opts.inprocSeconds * 1000);
      const s = summaries[i] as InProcessSummary;
      s.perRound.push(res.checksPerSec);
      s.fraction = res.denyFraction;
      progress(`in process, round ${r}/${opts.rounds}: ${name}: ${int(res.checksPerSec)} checks/s, deny fraction ${res.denyFraction.toFixed(6)}`);
    });
  }
  return summaries;
}

// ---------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const date = new Date();
  const command = ["npm run bench:pdp", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");
  if (opts.globsOnly) {
    reportGlobBench(runGlobBench(opts.rounds), date, command, opts.write);
    return;
  }
  const machine = [
    `Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    `Node ${process.version}; references: Cedar cedar-wasm ${CEDAR_PACKAGE_VERSION}, Cerbos ${CERBOS_VERSION} (@cerbos/cerbos-linux-x64), bare grpc-js echo`,
  ];
  const [load1 = 0] = loadavg();
  if (load1 > Number(nproc())) {
    machine.push(
      `**Busy machine**: load average ${load1.toFixed(2)} on ${nproc()} cores before the run started; other work competes with every server and ` +
        "with the load generator, so absolute numbers are depressed, latencies inflated and ratios noisy. Rerun on a quiet machine.",
    );
  }
  for (const m of machine) progress(m);
  progress(`plan: ${opts.rounds} rounds; in process ${opts.inprocSeconds}s per round; gRPC ${opts.seconds}s per round; paced ${opts.pacedRounds} rounds of ${opts.pacedSeconds}s at ${PACED_RATE} calls/s`);

  const pools = buildPools();

  // A. In process.
  const inProcess = runInProcess(opts, pools.flowzoneBatch.payloads);
  // C. Long sinks against multi-star globs, in process too; reported in its own section.
  const globTable = runGlobBench(opts.rounds);

  // B. Over gRPC.
  const workDir = mkdtempSync(join(tmpdir(), "flowzone-bench-"));
  onExit(() => { rmSync(workDir, { recursive: true, force: true }); });
  const clients: grpc.Client[] = [];
  try {
    progress("starting flowzone's decision service (child process)");
    const flowzone = await startFlowzone(workDir);
    const fz = connect(flowzone.address);
    clients.push(fz);
    await waitForReady(fz, 10_000);
    progress(`flowzone pdp on ${flowzone.address} (pid ${flowzone.child.pid}, policy ${flowzone.policyVersion}); recording its answers for the echo server`);
    // The batch answers hold the answer to every request of the cycle, in order.
    const batchReplies = await collectResponses(fz, pools.flowzoneBatch, IN_FLIGHT);
    const unaryReplies = batchReplies.flatMap(splitFlowzoneBatch);
    if (unaryReplies.length !== CYCLE) throw new Error(`flowzone answered ${unaryReplies.length} of ${CYCLE} requests in its batches`);
    const repliesFile = join(workDir, "echo-replies.bin");
    writeReplies(repliesFile, [unaryReplies, batchReplies]);
    const avgReply = unaryReplies.reduce((s, b) => s + b.length, 0) / unaryReplies.length;

    progress("starting the grpc-js echo server (child process)");
    const echo = await startEcho(repliesFile);
    const ec = connect(echo.address);
    clients.push(ec);
    await waitForReady(ec, 10_000);
    progress(`echo on ${echo.address} (pid ${echo.child.pid})`);
    const readingEcho = await startEcho(repliesFile, true);
    const rc = connect(readingEcho.address);
    clients.push(rc);
    await waitForReady(rc, 10_000);
    progress(`reading echo on ${readingEcho.address} (pid ${readingEcho.child.pid})`);

    progress("starting Cerbos (child process)");
    const cerbos = await startCerbos(workDir);
    const cb = connect(cerbos.address);
    clients.push(cb);
    await waitForReady(cb, 30_000);
    await collectResponses(cb, pools.cerbosBatch, 8); // readiness: every answer decoded and checked
    progress(`Cerbos on ${cerbos.address} (pid ${cerbos.child.pid})`);

    const closed = (client: grpc.Client, pool: CallPool) => (startSeq: number, ms: number) => runClosedLoop(client, pool, IN_FLIGHT, ms, startSeq);
    const streams = (client: grpc.Client) => (startSeq: number, ms: number) =>
      runStreams(client, pools.flowzoneStream, STREAMS, STREAM_WINDOW, ms, startSeq);
    const modes: Mode[] = [
      { server: "flowzone", call: "unary Check", child: () => flowzone.child, run: closed(fz, pools.flowzoneUnary) },
      { server: "echo", call: "unary Check", child: () => echo.child, run: closed(ec, pools.flowzoneUnary) },
      { server: "Cerbos", call: "unary CheckResources (1 resource)", child: () => cerbos.child, run: closed(cb, pools.cerbosUnary) },
      { server: "flowzone", call: `CheckBatch (${BATCH_SIZE} per call)`, child: () => flowzone.child, run: closed(fz, pools.flowzoneBatch) },
      { server: "echo", call: `CheckBatch (${BATCH_SIZE} per call)`, child: () => echo.child, run: closed(ec, pools.flowzoneBatch) },
      { server: READING_ECHO, call: `CheckBatch (${BATCH_SIZE} per call)`, child: () => readingEcho.child, run: closed(rc, pools.flowzoneBatch) },
      { server: "Cerbos", call: `CheckResources (${BATCH_SIZE} resources)`, child: () => cerbos.child, run: closed(cb, pools.cerbosBatch) },
      { server: "flowzone", call: `CheckStream (${STREAMS} streams × ${STREAM_WINDOW} in flight)`, child: () => flowzone.child, run: streams(fz) },
      { server: "echo", call: `CheckStream (${STREAMS} streams × ${STREAM_WINDOW} in flight)`, child: () => echo.child, run: streams(ec) },
    ];
    const results: ModeResults[] = modes.map((mode) => ({ mode, runs: [], serverCpu: [], nextSeq: 0 }));

    progress("warm-up: 1 s per mode");
    for (const m of results) await measureRound(m, 1000, false);

    for (let r = 1; r <= opts.rounds; r++) {
      for (const m of results) {
        const res = await measureRound(m, opts.seconds * 1000, true);
        progress(
          `gRPC round ${r}/${opts.rounds}: ${m.mode.server} ${m.mode.call}: ${int(res.callsPerSec)} calls/s, ${int(res.checksPerSec)} checks/s, ` +
            `p50 ${dec(res.p50Ms)} ms, p99 ${dec(res.p99Ms)} ms, server CPU ${dec(m.serverCpu[m.serverCpu.length - 1] ?? NaN)} s`,
        );
      }
    }

    const pacedTargets = [
      { server: "flowzone", client: fz, pool: pools.flowzoneUnary },
      { server: "echo", client: ec, pool: pools.flowzoneUnary },
      { server: "Cerbos", client: cb, pool: pools.cerbosUnary },
    ].map((t) => ({ ...t, runs: [] as (RunResult & { lateP99Ms: number })[], nextSeq: 0 }));
    for (let r = 1; r <= opts.pacedRounds; r++) {
      for (const t of pacedTargets) {
        const res = await runPaced(t.client, t.pool, PACED_RATE, opts.pacedSeconds * 1000, t.nextSeq);
        if (res.mismatches > 0) throw new Error(`${t.server} paced: ${res.mismatches} decisions differ from zones-20 (first at request ${res.firstMismatch})`);
        t.runs.push(res);
        t.nextSeq += res.checks;
        progress(
          `paced round ${r}/${opts.pacedRounds}: ${t.server} unary at ${PACED_RATE} calls/s for ${opts.pacedSeconds} s: ` +
            `p50 ${dec(res.p50Ms, 3)} ms, p99 ${dec(res.p99Ms, 3)} ms (sends late by ≤ ${dec(res.lateP99Ms, 3)} ms at p99)`,
        );
      }
    }
    const paced: PacedSummary[] = pacedTargets.map((t) => {
      const { fraction, checks } = denyFraction(`${t.server} paced`, t.runs.map((r) => r.outcomes));
      return {
        server: t.server,
        p50Ms: median(t.runs.map((r) => r.p50Ms)),
        p99Ms: median(t.runs.map((r) => r.p99Ms)),
        p99PerRound: t.runs.map((r) => r.p99Ms),
        lateP99Ms: median(t.runs.map((r) => r.lateP99Ms)),
        callsPerSec: median(t.runs.map((r) => r.callsPerSec)),
        fraction,
        checks,
      };
    });

    const peakRss = {
      flowzone: peakRssMiB(flowzone.child.pid),
      echo: peakRssMiB(echo.child.pid),
      [READING_ECHO]: peakRssMiB(readingEcho.child.pid),
      Cerbos: peakRssMiB(cerbos.child.pid),
    };
    for (const c of clients) c.close();
    await stopAll();

    finish(opts, date, machine, inProcess, results.map(summarize), paced, avgReply, peakRss);
    reportGlobBench(globTable, date, command, opts.write);
  } finally {
    for (const c of clients) c.close();
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => { process.exit(0); },
  (error: unknown) => {
    process.stderr.write(`\nbench:pdp FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
