/**
 * bench:tls, the cost of TLS on the decision service: three decision services side by side in one
 * run, on the zones-20 workload, with bench:pdp's load generator: plaintext, TLS
 * (FLOWZONE_TLS_CERT / KEY) and mTLS (with FLOWZONE_TLS_CLIENT_CA, the client presenting a
 * certificate). Unary `Check` (64 in flight, and paced at 1,000 calls/s for latency without
 * queueing), `CheckBatch` (50 per call), and the set-up of a new connection; each server's CPU and
 * peak RSS; goals against plaintext. Writes its section of docs/benchmarks.md.
 *
 * Usage: npm run bench:tls [-- options]; `npm run bench:tls -- --help` lists them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import * as grpc from "@grpc/grpc-js";

import { onExit, startChild, stopAll, type Child } from "../common/children";
import { cpuSeconds } from "../common/cpu";
import { connect, runClosedLoop, runPaced, waitForReady, type CallPool, type RunResult } from "../common/load-generator";
import { peakRssMiB } from "../common/memory";
import { BATCH_SIZE, buildPools } from "../common/pools";
import { goalsTable, markdownTable, writeSection, type Goal } from "../common/report";
import { denyFraction, median } from "../common/stats";
import { writeBundle } from "../pdp/flowzone";
import { dec, int, IN_FLIGHT, nproc, PACED_RATE, progress } from "../pdp/settings";
import { makeCertificates, type BenchCertificates } from "./bench-certificates";
import { eachFlag, exitOnHelp } from "../common/flags";

interface Options {
  readonly rounds: number;
  readonly seconds: number;
  readonly pacedRate: number;
  readonly pacedSeconds: number;
  readonly write: boolean;
}

const USAGE = `options: --rounds N (3) --seconds S (3) --paced-rate R (${PACED_RATE}) --paced-seconds S (3) --no-write`;

function parseOptions(argv: readonly string[]): Options {
  exitOnHelp(argv, USAGE);
  const opts = { rounds: 3, seconds: 3, pacedRate: PACED_RATE, pacedSeconds: 3, write: true };
  eachFlag(argv, (arg, value) => {
    if (arg === "--rounds") opts.rounds = Math.round(value());
    else if (arg === "--seconds") opts.seconds = value();
    else if (arg === "--paced-seconds") opts.pacedSeconds = value();
    else if (arg === "--paced-rate") opts.pacedRate = Math.round(value());
    else if (arg === "--no-write") opts.write = false;
    else throw new Error(`unknown option ${arg}; ${USAGE}`);
  });
  return opts;
}

type Transport = "plaintext" | "TLS" | "mTLS";
const TRANSPORTS: readonly Transport[] = ["plaintext", "TLS", "mTLS"];
/** New connections timed per transport. */
const CONNECTIONS = 40;
// The project's own goals: no issue set a number for TLS.
/** Least checks/s of TLS and of mTLS ÷ plaintext's, for each call. */
const GOAL_RATIO = 0.8;
/** Most that TLS may add to the paced unary p50, ms: a call that does not queue pays the encryption alone. */
const GOAL_PACED_P50_OVER_MS = 1;

interface Server {
  readonly transport: Transport;
  readonly child: Child;
  readonly address: string;
  readonly credentials: () => grpc.ChannelCredentials;
  readonly client: grpc.Client;
}

/** The decision service's environment for `transport`: no Kafka, a free metrics port, the TLS files. */
function serverEnv(transport: Transport, certs: BenchCertificates): NodeJS.ProcessEnv {
  const dropped = new Set(["FLOWZONE_KAFKA_BROKERS", "FLOWZONE_KAFKA_CONFIG", "FLOWZONE_TLS_CERT", "FLOWZONE_TLS_KEY", "FLOWZONE_TLS_CLIENT_CA", "FLOWZONE_IDENTITIES"]);
  const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.has(name))), FLOWZONE_METRICS_PORT: "0" };
  if (transport === "plaintext") return env;
  return {
    ...env,
    FLOWZONE_TLS_CERT: certs.serverCert,
    FLOWZONE_TLS_KEY: certs.serverKey,
    ...(transport === "mTLS" ? { FLOWZONE_TLS_CLIENT_CA: certs.ca, FLOWZONE_IDENTITIES: certs.identities } : {}),
  };
}

function clientCredentials(transport: Transport, certs: BenchCertificates): () => grpc.ChannelCredentials {
  if (transport === "plaintext") return () => grpc.credentials.createInsecure();
  const ca = readFileSync(certs.ca);
  if (transport === "TLS") return () => grpc.credentials.createSsl(ca);
  const key = readFileSync(certs.clientKey);
  const cert = readFileSync(certs.clientCert);
  return () => grpc.credentials.createSsl(ca, key, cert);
}

async function startServer(transport: Transport, policyDir: string, certs: BenchCertificates): Promise<Server> {
  const { child, value } = await startChild(
    `flowzone pdp (${transport})`,
    process.execPath,
    [join(__dirname, "..", "pdp", "pdp-child.js"), policyDir],
    (line) => (line.startsWith('{"benchPort"') ? (JSON.parse(line) as { benchPort: number }).benchPort : undefined),
    30_000,
    serverEnv(transport, certs),
  );
  const address = `127.0.0.1:${value}`;
  const credentials = clientCredentials(transport, certs);
  const client = connect(address, credentials());
  await waitForReady(client, 10_000);
  return { transport, child, address, credentials, client };
}

/** Time from a new channel to READY (TCP, and the TLS handshake where there is one), `CONNECTIONS` times, one at a time. */
async function connectionSetupMs(server: Server): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    // A channel option of its own, so grpc-js opens a new subchannel rather than sharing the pool's.
    const client = new grpc.Client(server.address, server.credentials(), { "grpc.bench_connection": i });
    const t0 = performance.now();
    await waitForReady(client, 10_000);
    times.push(performance.now() - t0);
    client.close();
  }
  return times.sort((a, b) => a - b);
}

interface Cell {
  readonly call: string;
  readonly server: Server;
  readonly pool: CallPool;
  readonly runs: RunResult[];
  readonly cpuPer100k: number[];
  nextSeq: number;
}

async function measure(cell: Cell, ms: number, keep: boolean): Promise<RunResult> {
  const cpu0 = cpuSeconds(cell.server.child.pid);
  const res = await runClosedLoop(cell.server.client, cell.pool, IN_FLIGHT, ms, cell.nextSeq);
  const cpu = cpuSeconds(cell.server.child.pid) - cpu0;
  if (res.mismatches > 0) throw new Error(`${cell.server.transport} ${cell.call}: ${res.mismatches} decisions differ from zones-20 (first at request ${res.firstMismatch})`);
  if (keep) {
    cell.runs.push(res);
    cell.cpuPer100k.push((cpu / res.checks) * 100_000);
    cell.nextSeq += res.checks;
  }
  return res;
}

/** Median checks/s of `transport` in `row` (one call, every transport) over plaintext's. */
function overPlaintext(row: readonly Cell[], transport: Transport): number {
  const checks = (t: Transport): number => median(row.find((cell) => cell.server.transport === t)?.runs.map((x) => x.checksPerSec) ?? []);
  return checks(transport) / checks("plaintext");
}

/** `n` with its sign, in ms to the microsecond. */
const signedMs = (n: number): string => `${n >= 0 ? "+" : ""}${dec(n, 3)}`;

/**
 * The goals: throughput of TLS and mTLS against plaintext for each call (`rows` in the order of
 * `calls`), and what TLS adds to the paced unary p50 (`pacedP50Over`, ms).
 */
function goals(rows: readonly (readonly Cell[])[], calls: readonly string[], pacedP50Over: number): Goal[] {
  const throughput = (["TLS", "mTLS"] as const).flatMap((transport) =>
    calls.map((call, i) => {
      const ratio = overPlaintext(rows[i] ?? [], transport);
      return { what: `${transport} ÷ plaintext checks/s, ${call}`, measured: dec(ratio, 3), target: `≥ ${GOAL_RATIO}`, met: ratio >= GOAL_RATIO };
    }),
  );
  return [
    ...throughput,
    {
      what: "unary Check p50 at the paced rate, TLS over plaintext",
      measured: `${signedMs(pacedP50Over)} ms`,
      target: `≤ +${GOAL_PACED_P50_OVER_MS} ms`,
      met: pacedP50Over <= GOAL_PACED_P50_OVER_MS,
    },
  ];
}

/** `items` rotated by `by`, so each transport goes first in turn. */
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length] as T);

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const date = new Date();
  const command = ["npm run bench:tls", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" ");
  const machine = `Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}; Node ${process.version}`;
  progress(machine);
  const pools = buildPools();
  const workDir = mkdtempSync(join(tmpdir(), "flowzone-bench-tls-"));
  onExit(() => { rmSync(workDir, { recursive: true, force: true }); });
  try {
    const certs = makeCertificates(workDir);
    const policyDir = join(workDir, "policy");
    writeBundle(policyDir);
    const servers: Server[] = [];
    for (const transport of TRANSPORTS) {
      progress(`starting the decision service, ${transport}`);
      servers.push(await startServer(transport, policyDir, certs));
    }
    // `name`: the call in the goals' wording.
    const calls = [
      { call: "unary Check (64 in flight)", name: "unary Check", pool: pools.flowzoneUnary },
      { call: `CheckBatch (${BATCH_SIZE} per call, 64 in flight)`, name: "CheckBatch", pool: pools.flowzoneBatch },
    ];
    const cells: Cell[][] = calls.map(({ call, pool }) => servers.map((server) => ({ call, server, pool, runs: [], cpuPer100k: [], nextSeq: 0 })));

    progress("warm-up: 1 s per cell");
    for (const row of cells) for (const cell of row) await measure(cell, 1000, false);
    for (let r = 0; r < opts.rounds; r++) {
      for (const row of cells) {
        for (const cell of rotate(row, r)) {
          const res = await measure(cell, opts.seconds * 1000, true);
          progress(`round ${r + 1}/${opts.rounds}: ${cell.call}, ${cell.server.transport}: ${int(res.checksPerSec)} checks/s, p50 ${dec(res.p50Ms)} ms, p99 ${dec(res.p99Ms)} ms`);
        }
      }
    }
    const paced = servers.map((server) => ({ server, runs: [] as RunResult[], nextSeq: 0 }));
    for (let r = 0; r < opts.rounds; r++) {
      for (const p of rotate(paced, r)) {
        const res = await runPaced(p.server.client, pools.flowzoneUnary, opts.pacedRate, opts.pacedSeconds * 1000, p.nextSeq);
        if (res.mismatches > 0) throw new Error(`${p.server.transport} paced: ${res.mismatches} decisions differ from zones-20`);
        p.runs.push(res);
        p.nextSeq += res.checks;
        progress(`paced round ${r + 1}/${opts.rounds}, ${p.server.transport}: p50 ${dec(res.p50Ms, 3)} ms, p99 ${dec(res.p99Ms, 3)} ms`);
      }
    }
    const setups = new Map<Transport, number[]>();
    for (const server of servers) {
      setups.set(server.transport, await connectionSetupMs(server));
      progress(`connection set-up, ${server.transport}: median ${dec(median(setups.get(server.transport) ?? []), 2)} ms`);
    }

    const peakRss = servers.map((server) => [server.transport, dec(peakRssMiB(server.child.pid), 1)]);
    const throughputRows = cells.flatMap((row) =>
      row.map((cell) => {
        denyFraction(`${cell.server.transport} ${cell.call}`, cell.runs.map((x) => x.outcomes));
        const checks = median(cell.runs.map((x) => x.checksPerSec));
        return [
          cell.call,
          cell.server.transport === "plaintext" ? cell.server.transport : `**${cell.server.transport}**`,
          int(median(cell.runs.map((x) => x.callsPerSec))),
          int(checks),
          cell.runs.map((x) => int(x.checksPerSec)).join(" / "),
          dec(median(cell.runs.map((x) => x.p50Ms))),
          dec(median(cell.runs.map((x) => x.p99Ms))),
          dec(median(cell.cpuPer100k)),
          cell.server.transport === "plaintext" ? "–" : dec(overPlaintext(row, cell.server.transport), 3),
        ];
      }),
    );
    const pacedP50 = (transport: Transport): number => median(paced.find((p) => p.server.transport === transport)?.runs.map((x) => x.p50Ms) ?? []);
    const pacedRows = paced.map((p) => {
      const p50 = pacedP50(p.server.transport);
      const p99 = median(p.runs.map((x) => x.p99Ms));
      return [p.server.transport, dec(p50, 3), dec(p99, 3), p.runs.map((x) => dec(x.p99Ms, 3)).join(" / "), p.server.transport === "plaintext" ? "–" : signedMs(p50 - pacedP50("plaintext"))];
    });
    const setupRows = TRANSPORTS.map((t) => {
      const times = setups.get(t) ?? [];
      return [t, dec(median(times), 2), dec(times[Math.floor(0.9 * times.length)] ?? NaN, 2), String(times.length)];
    });
    const section = [
      "## Decision service, TLS against plaintext (`npm run bench:tls`)",
      "",
      "Written by `npm run bench:tls` (test/bench/tls/main.ts); do not edit by hand, rerun it. Workload: zones-20, as bench:pdp.",
      "",
      `- Date: ${date.toISOString()}`,
      `- Command: \`${command}\``,
      `- ${machine}`,
      "",
      "### Method",
      "",
      "- Three decision services (`startDecisionService` through bench:pdp's child, 127.0.0.1, no Kafka, each its own Node process) run side by side: **plaintext**; **TLS** with `FLOWZONE_TLS_CERT` / `FLOWZONE_TLS_KEY` (EC P-256 certificate from a CA made with openssl at start); **mTLS** with `FLOWZONE_TLS_CLIENT_CA` too, the client presenting its certificate (URI SAN `spiffe://example.org/svc/bench-producer`), so every call is also authenticated as that producer identity, which an identities file (`FLOWZONE_IDENTITIES`) lets speak for the workload's producers. grpc-js negotiates TLS 1.3.",
      `- bench:pdp's load generator, one channel per server: closed loop with ${IN_FLIGHT} calls in flight (unary \`Check\`, then \`CheckBatch\` of ${BATCH_SIZE}); warm-up 1 s per cell, then ${opts.rounds} rounds of ${opts.seconds} s per cell, the three transports back to back in each round, a different one first each round. Figures are medians of the rounds. Every answer is checked against the workload's expected decision.`,
      `- Paced: unary \`Check\` at ${opts.pacedRate} calls/s (open loop) for ${opts.pacedSeconds} s per round: the latency a call sees without queueing behind 63 others.`,
      `- Connection set-up: ${CONNECTIONS} new channels per transport, one at a time, time from creating the channel to READY (TCP connect, TLS handshake, HTTP/2 settings).`,
      "- Server CPU is user + system time of the service's process (/proc) over the round; peak RSS is its VmHWM (/proc), read after the last measurement.",
      "",
      "### Throughput and latency under load",
      "",
      markdownTable(["call", "transport", "calls/s", "checks/s", "checks/s per round", "p50 ms", "p99 ms", "server CPU s / 100k checks", "÷ plaintext checks/s"], throughputRows),
      "",
      `### Unary \`Check\` latency at ${opts.pacedRate} calls/s`,
      "",
      markdownTable(["transport", "p50 ms", "p99 ms", "p99 per round", "p50 over plaintext (ms)"], pacedRows),
      "",
      "### New connection",
      "",
      markdownTable(["transport", "set-up p50 ms", "set-up p90 ms", "connections"], setupRows),
      "",
      "### Server memory",
      "",
      markdownTable(["transport", "peak RSS MiB"], peakRss),
      "",
      "### Goals",
      "",
      "These are the project's own goals: no issue set a number for TLS.",
      "",
      goalsTable(goals(cells, calls.map((c) => c.name), pacedP50("TLS") - pacedP50("plaintext"))),
    ].join("\n");
    process.stdout.write(`\n${section}\n`);
    for (const server of servers) server.client.close();
    await stopAll();
    if (opts.write) progress(`wrote ${writeSection("tls", section)}`);
  } finally {
    await stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => { process.exit(0); },
  (error: unknown) => {
    process.stderr.write(`\nbench:tls FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
