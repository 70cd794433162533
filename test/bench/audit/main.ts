/**
 * `npm run bench:audit`: the decision service with the audit trail on against off (issue 3:
 * goal ≥ 0.9 of audit off's throughput, unary and stream), on the zones-20 workload, side by
 * side in one run (test/bench/README.md). Starts a local Kafka broker and two decision services,
 * each its own process: one without brokers (audit off), one writing the audit trail to fresh
 * topics (audit on). Rounds alternate between the two with the same grpc-js load generator as
 * bench:pdp. Afterwards the audit topic must hold exactly one violation record per denied check
 * the audit-on service answered. Flow reports (issue 13) are measured in the same run: audit on
 * runs with flow reporting off, and a third service, audit on + flows, like it but reporting its
 * flows every 5 s (the default) to a fresh flows topic, whose records, bytes, distinct flows and
 * reported decisions are read after the run. A fourth service, audit on without the device flush
 * (answers wait for the spool's write to the page cache, not to the device), shows what durability costs. Each
 * service's peak RSS is read before it closes. Last, with the services stopped, a bare kafkajs
 * producer sends audit on's records again (what kafkajs alone costs per audit record), and then
 * the product's audit writer alone offers them again (what the whole trail costs without a service).
 * The machine's own limit is measured in the rounds: audit off answers again while a neighbour
 * process puts the records the goal would owe on Kafka (neighbour.ts).
 * Writes its section of docs/benchmarks.md.
 *
 * Options: `npm run bench:audit -- --help` (settings.ts).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import type * as grpc from "@grpc/grpc-js";
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import type { Admin } from "kafkajs";

import type { Child } from "../common/children";
import { startBenchBroker, type BenchKafka } from "../common/bench-broker";
import { endChild, installHandlers, onExit, startChild, stopAll } from "../common/children";
import { cpuSeconds } from "../common/cpu";
import { peakRssMiB } from "../common/memory";
import type { RunResult } from "../common/load-generator";
import { connect, runClosedLoop, runStreams, waitForReady } from "../common/load-generator";
import { buildPools } from "../common/pools";
import { repoRoot, writeSection } from "../common/report";
import { writeBundle } from "../pdp/flowzone";
import { readAuditTopic, recordsOnTopic, waitForRecords } from "./audit-check";
import { readFlowsTopic } from "./flows-check";
import { fsyncFindings, renderFsync, summarizeFsync } from "./fsync-results";
import { renderFlows, summarizeFlows } from "./flow-results";
import type { AuditPdpChildConfig, AuditPdpReady } from "./child-protocol";
import { measureKafkajsFloor, renderKafkajsFloor } from "./kafkajs-floor";
import type { Neighbour, NeighbourRound } from "./neighbour";
import { NEIGHBOUR_NAME, neighbourFindings, renderNeighbour, startNeighbour } from "./neighbour";
import { formatProfile, summarizeProfile } from "./profile-summary";
import type { Call, Cell, Round, Server, Verification } from "./results";
import { renderSection, summarize } from "./results";
import { GOAL_RATIO, IN_FLIGHT, STREAMS, STREAM_WINDOW, TRAFFIC_DEFERRED_MS, dec, int, nproc, parseOptions, progress } from "./settings";
import { measureWriterAloneRuns, renderWriterAlone } from "./writer-alone";

/** How long the audit-on service gets, after a round, to put that round's records on the topic. */
const DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_QUIET_MS = 3_000;
/** The kafkajs diagnostic: audit records it sends again, cycling through a sample of this many of audit on's. */
const FLOOR_RECORDS = 200_000;
const FLOOR_SAMPLE_RECORDS = 5_000;
/** How long reading the warm-up's audit records, for the neighbours to send again, may take. */
const WARMUP_SAMPLE_TIMEOUT_MS = 60_000;

interface Service {
  readonly server: Server;
  /** Its audit topic (audit on, audit on + flows): each round waits until it holds the records owed. */
  readonly auditTopic: string | undefined;
  /** Denied checks answered so far: the violation records it owes its audit topic. */
  owed: number;
  /** Checks answered so far, warm-up included: the decisions its flow reports must add up to. */
  answered: number;
  readonly child: Child;
  readonly client: grpc.Client;
  readonly address: string;
  readonly policyVersion: string;
}

/** Each service as the progress lines name it. */
const LABEL: Record<Server, string> = { off: "audit off", on: "audit on ", flows: "audit on + flows", nofsync: "audit on, no flush" };

async function startService(server: Server, config: AuditPdpChildConfig, profileDir: string | undefined): Promise<Service> {
  const nodeArgs = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  const { child, value } = await startChild(
    `flowzone pdp, audit ${server}`,
    process.execPath,
    [...nodeArgs, join(__dirname, "pdp-child.js"), JSON.stringify(config)],
    (line) => (line.startsWith('{"benchPort"') ? (JSON.parse(line) as AuditPdpReady) : undefined),
    90_000,
  );
  const address = `127.0.0.1:${value.benchPort}`;
  const client = connect(address);
  await waitForReady(client, 10_000);
  return { server, auditTopic: config.auditTopic, owed: 0, answered: 0, child, client, address, policyVersion: value.policyVersion };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  installHandlers();
  const date = new Date();
  const [load1 = 0] = loadavg();
  const machine = [
    `Machine: nproc ${nproc()}, ${cpus()[0]?.model ?? "unknown CPU"}, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    `Node ${process.version}; one local single-node Kafka broker (\`@flowzone/kafka-local\`, KRaft, loopback)`,
  ];
  if (load1 > Number(nproc())) {
    machine.push(
      `**Busy machine**: load average ${load1.toFixed(2)} on ${nproc()} cores before the run started; other work competes with both services, ` +
        "the broker and the load generator, so absolute numbers are depressed and ratios noisy. Rerun on a quiet machine.",
    );
  }
  for (const m of machine) progress(m);
  progress(
    `plan: warm-up ${opts.warmupSeconds} s per cell, then ${opts.rounds} rounds of ${opts.seconds} s per cell ` +
      "(4 services × unary/stream, interleaved; under the stream, then audit off beside each of 2 neighbours sending audit records)",
  );

  const workDir = mkdtempSync(join(tmpdir(), "flowzone-bench-audit-"));
  const profileDir = opts.cpuProf ? join(workDir, "profiles") : undefined;
  onExit(() => {
    if (!opts.cpuProf) rmSync(workDir, { recursive: true, force: true });
  });
  const logger = createLogger({ level: "error", service: "flowzone-bench-audit" });
  let broker: BenchKafka | undefined;
  let admin: Admin | undefined;
  const services: Service[] = [];
  const neighbours: Neighbour[] = [];
  let failed = false;
  try {
    broker = await startBenchBroker(repoRoot(), progress);

    const suffix = randomBytes(4).toString("hex");
    const auditTopic = `flowzone.bench.audit.${suffix}`;
    const controlTopic = `flowzone.bench.control.${suffix}`;
    const flowsAuditTopic = `flowzone.bench.audit-flows.${suffix}`;
    const flowsTopic = `flowzone.bench.flows.${suffix}`;
    const noFsyncAuditTopic = `flowzone.bench.audit-nofsync.${suffix}`;
    const policyDir = join(workDir, "policy");
    writeBundle(policyDir);
    const spoolDir = join(workDir, "spool");
    mkdirSync(spoolDir, { recursive: true });
    if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });

    const flowsSpoolDir = join(workDir, "spool-flows");
    mkdirSync(flowsSpoolDir, { recursive: true });
    const noFsyncSpoolDir = join(workDir, "spool-nofsync");
    mkdirSync(noFsyncSpoolDir, { recursive: true });
    progress(
      "starting the decision services: audit off (no brokers), audit on (brokers, fresh topics, temp spool, flow reporting off), audit on + flows (the same, reporting flows) " +
        "and audit on without the device flush (the same as audit on, answers waiting for the spool's write only)",
    );
    const [off, on, flows, noFsync] = await Promise.all([
      startService("off", { policyDir }, profileDir === undefined ? undefined : join(profileDir, "off")),
      startService(
        "on",
        { policyDir, brokers: broker.brokers, auditTopic, controlTopic, auditSpoolDir: spoolDir, trafficIntervalMs: TRAFFIC_DEFERRED_MS, flowReportIntervalMs: 0 },
        profileDir === undefined ? undefined : join(profileDir, "on"),
      ),
      startService(
        "flows",
        { policyDir, brokers: broker.brokers, auditTopic: flowsAuditTopic, controlTopic, auditSpoolDir: flowsSpoolDir, trafficIntervalMs: TRAFFIC_DEFERRED_MS, flowsTopic },
        profileDir === undefined ? undefined : join(profileDir, "flows"),
      ),
      startService(
        "nofsync",
        { policyDir, brokers: broker.brokers, auditTopic: noFsyncAuditTopic, controlTopic, auditSpoolDir: noFsyncSpoolDir, trafficIntervalMs: TRAFFIC_DEFERRED_MS, flowReportIntervalMs: 0, auditFsync: false },
        profileDir === undefined ? undefined : join(profileDir, "nofsync"),
      ),
    ]);
    services.push(off, on, flows, noFsync);
    for (const s of services) progress(`${LABEL[s.server].trim()}: ${s.address} (pid ${s.child.pid}), policy ${s.policyVersion}`);
    progress(`audit topic ${auditTopic}, control topic ${controlTopic}, spool ${spoolDir}; audit on + flows: audit topic ${flowsAuditTopic}, flows topic ${flowsTopic}, spool ${flowsSpoolDir}`);

    const kafka = createKafka({ brokers: [broker.brokers], clientId: "bench-audit", logger });
    admin = kafka.admin();
    await admin.connect();
    const adminNow = admin;
    const initial = await recordsOnTopic(adminNow, auditTopic);
    if (initial !== 0) throw new Error(`the fresh audit topic ${auditTopic} already holds ${initial} records`);

    const pools = buildPools();
    const run = (s: Service, call: Call) => (startSeq: number, ms: number): Promise<RunResult> =>
      call === "unary"
        ? runClosedLoop(s.client, pools.flowzoneUnary, IN_FLIGHT, ms, startSeq)
        : runStreams(s.client, pools.flowzoneStream, STREAMS, STREAM_WINDOW, ms, startSeq);
    const cells: Cell[] = [];
    for (const call of ["unary", "stream"] as const) for (const s of services) cells.push({ server: s.server, call, rounds: [], nextSeq: 0 });
    const serviceOf = (server: Server): Service => ({ off, on, flows, nofsync: noFsync })[server];

    const measure = async (cell: Cell, ms: number, record: boolean): Promise<Round> => {
      const s = serviceOf(cell.server);
      const cpu0 = cpuSeconds(s.child.pid);
      let res: RunResult;
      try {
        res = await run(s, cell.call)(cell.nextSeq, ms);
      } catch (error) {
        throw new Error(`audit ${cell.server} ${cell.call}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (res.mismatches > 0) throw new Error(`audit ${cell.server} ${cell.call}: ${res.mismatches} decisions differ from zones-20 (first at request ${res.firstMismatch})`);
      let drainMs = NaN;
      s.answered += res.checks;
      if (s.auditTopic !== undefined) {
        s.owed += res.denies;
        // The trail is asynchronous: the round's CPU includes sending its records, so wait for them.
        const drained = await waitForRecords(adminNow, s.auditTopic, s.owed, DRAIN_QUIET_MS, DRAIN_TIMEOUT_MS);
        drainMs = drained.waitedMs;
        if (drained.records < s.owed) progress(`  audit topic ${s.auditTopic} holds ${int(drained.records)} records, ${int(s.owed)} denied checks answered so far (not drained after ${int(drainMs)} ms)`);
      }
      const round: Round = { res, serverCpuS: cpuSeconds(s.child.pid) - cpu0, drainMs };
      if (record) {
        cell.rounds.push(round);
        cell.nextSeq += res.checks;
      }
      return round;
    };

    progress(`warm-up: ${opts.warmupSeconds} s per cell`);
    for (const cell of cells) await measure(cell, opts.warmupSeconds * 1000, false);

    // The neighbours send audit on's own records again: a sample of what its warm-up wrote.
    await waitForRecords(adminNow, auditTopic, on.owed, DRAIN_QUIET_MS, DRAIN_TIMEOUT_MS);
    const warmupSample = (await readAuditTopic(kafka, auditTopic, WARMUP_SAMPLE_TIMEOUT_MS, FLOOR_SAMPLE_RECORDS)).sample;
    const sampleFile = join(workDir, "warm-up-audit-records.json");
    writeFileSync(sampleFile, JSON.stringify(warmupSample.map((m) => ({ key: m.key?.toString() ?? "", value: Buffer.from(m.value ?? "").toString("base64") }))));
    for (const mode of ["kafkajs", "writer"] as const) {
      const spool = join(workDir, `spool-neighbour-${mode}`);
      mkdirSync(spool, { recursive: true });
      neighbours.push(await startNeighbour({ mode, brokers: broker.brokers, topic: `flowzone.bench.audit-neighbour-${mode}.${suffix}`, spoolDir: spool, sampleFile }));
    }
    progress(`neighbours ready: ${neighbours.map((n) => `${NEIGHBOUR_NAME[n.mode]} (pid ${n.child.pid}) → ${n.topic}`).join(", ")}; ${int(warmupSample.length)} audit records to send again`);
    const neighbourRounds: NeighbourRound[] = [];

    for (let r = 1; r <= opts.rounds; r++) {
      for (const call of ["unary", "stream"] as const) {
        // Rotate which goes first, so a drift of the machine favours none.
        const order = (["off", "on", "flows", "nofsync"] as const).map((_, i, all) => all[(i + r - 1) % all.length] as Server);
        for (const server of order) {
          const cell = cells.find((c) => c.server === server && c.call === call);
          if (cell === undefined) throw new Error("no such cell");
          const { res, serverCpuS, drainMs } = await measure(cell, opts.seconds * 1000, true);
          progress(
            `round ${r}/${opts.rounds}: ${LABEL[server]} ${call.padEnd(6)}: ${int(res.callsPerSec)} calls/s, ${int(res.checksPerSec)} checks/s, ` +
              `p50 ${dec(res.p50Ms)} ms, p99 ${dec(res.p99Ms)} ms, server CPU ${dec(serverCpuS)} s` +
              (server === "off" ? "" : `, ${int(res.denies)} denied → topic caught up ${int(drainMs)} ms after the round`),
          );
        }
        // The stream's goal is the one missed; unary's calls wait for their answers, not for the machine.
        if (call === "unary") continue;
        const offCell = cells.find((c) => c.server === "off" && c.call === call);
        const alone = offCell?.rounds.at(-1)?.res;
        if (offCell === undefined || alone === undefined) throw new Error("no round of audit off to set the neighbours' rate by");
        for (const neighbour of neighbours) {
          const perSecond = GOAL_RATIO * alone.checksPerSec * (alone.denies / alone.checks);
          const stretch = neighbour.stretch(perSecond, opts.seconds * 1000);
          const { res } = await measure(offCell, opts.seconds * 1000, false);
          const done = await stretch;
          neighbourRounds.push({ call, mode: neighbour.mode, aloneChecksPerSec: alone.checksPerSec, perSecond, res, stretch: done, seconds: opts.seconds });
          progress(
            `round ${r}/${opts.rounds}: audit off beside ${NEIGHBOUR_NAME[neighbour.mode]} at ${int(perSecond)} records/s ${call.padEnd(6)}: ${int(res.checksPerSec)} checks/s ` +
              `(${dec(res.checksPerSec / alone.checksPerSec, 3)} of alone), neighbour ${int(done.sent)} of ${int(done.offered)} records acknowledged, ${dec(done.cpuSeconds)} s of its CPU`,
          );
        }
      }
    }

    progress("verifying the audit topic");
    const owed = on.owed;
    const settled = await waitForRecords(adminNow, auditTopic, owed, DRAIN_QUIET_MS, DRAIN_TIMEOUT_MS);
    const contents = await readAuditTopic(kafka, auditTopic, 120_000, FLOOR_SAMPLE_RECORDS);
    const verification: Verification = { topic: auditTopic, deniedAnswered: owed, endOffsetsAfterRounds: settled.records, contents };
    progress(
      `audit topic: end offsets ${int(contents.endOffsets)} records; read ${int(contents.read)}: ${int(contents.violations)} violation records ` +
        `(${int(contents.distinctIds)} distinct ids, ${int(contents.distinctDecisions)} distinct decisions), ${int(contents.others)} others; ` +
        `denied checks answered by audit on: ${int(owed)}`,
    );

    const noFsyncRecords = (await waitForRecords(adminNow, noFsyncAuditTopic, noFsync.owed, DRAIN_QUIET_MS, DRAIN_TIMEOUT_MS)).records;
    progress(`audit topic without the device flush: ${int(noFsyncRecords)} records; denied checks it answered: ${int(noFsync.owed)}`);

    await Promise.all(neighbours.splice(0).map((n) => endChild(n.child, 15_000)));
    await adminNow.disconnect();
    admin = undefined;
    const peakRss = { off: peakRssMiB(off.child.pid), on: peakRssMiB(on.child.pid), flows: peakRssMiB(flows.child.pid), nofsync: peakRssMiB(noFsync.child.pid) };
    for (const s of services) s.client.close();
    // Stdin closed: each service shuts down cleanly (and writes its profile).
    await Promise.all(services.map((s) => endChild(s.child, 15_000)));

    // The flow-reporting service sent its last window on close: read what the flows topic holds.
    const flowsContents = await readFlowsTopic(kafka, flowsTopic, 60_000);
    progress(
      `flows topic: ${int(flowsContents.records)} FlowReport records, ${int(flowsContents.bytes)} bytes of keys and values, ${int(flowsContents.flows)} distinct flows, ` +
        `${int(flowsContents.decisions)} decisions reported; checks answered by audit on + flows: ${int(flows.answered)}`,
    );
    progress(`kafkajs alone: sending ${int(FLOOR_RECORDS)} of audit on's records again with a bare producer`);
    const floor = await measureKafkajsFloor(kafka, `flowzone.bench.audit-kafkajs.${suffix}`, contents.sample, FLOOR_RECORDS);
    progress(`kafkajs alone: ${int(floor.recordsPerSec)} records/s, ${dec(floor.cpuPer100k)} s of CPU per 100k records`);
    const summary = summarize(cells.filter((c) => c.server === "off" || c.server === "on"), verification);
    const fsyncSummary = summarizeFsync(cells, noFsyncAuditTopic, noFsyncRecords, noFsync.owed);
    const writer = await measureWriterAloneRuns(
      { kafka, logger, topic: `flowzone.bench.audit-writer.${suffix}`, spoolDir: join(workDir, "spool-writer-alone"), sample: contents.sample },
      FLOOR_RECORDS,
      STREAMS * STREAM_WINDOW,
      fsyncSummary.byCall.map(({ on }) => on),
      progress,
    );
    const flowSummary = summarizeFlows(cells, { topic: flowsTopic, answered: flows.answered, contents: flowsContents });
    const section = renderSection({
      date,
      command: `npm run bench:audit${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
      machine,
      opts,
      summary,
      auditTopic,
      peakRssMiB: peakRss,
    }) +
      `\n\n${renderFlows(flowSummary)}\n\n${renderFsync(fsyncSummary)}\n\n${renderNeighbour(neighbourRounds, fsyncSummary.byCall)}` +
      `\n\n${renderKafkajsFloor(floor, fsyncSummary.byCall)}\n\n${renderWriterAlone(writer, floor, fsyncSummary.byCall)}`;
    process.stdout.write(`\n${section}\n`);
    if (profileDir !== undefined) {
      for (const server of ["off", "on", "flows", "nofsync"]) {
        const dir = join(profileDir, server);
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")) : [];
        for (const f of files) process.stdout.write(`\n${formatProfile(`audit ${server} (${join(dir, f)})`, summarizeProfile(join(dir, f), 30))}\n`);
      }
      progress(`profiles kept in ${profileDir}`);
    }
    for (const g of [...summary.goals, ...flowSummary.goals, ...fsyncFindings(fsyncSummary)]) progress(`goal ${g.what}: measured ${g.measured}, target ${g.target}: ${g.met ? "met" : "MISSED"}`);
    for (const f of neighbourFindings(neighbourRounds)) progress(`limit: ${f}`);
    if (opts.write) progress(`wrote ${writeSection("audit", section)}`);
    if (!summary.verified) {
      failed = true;
      process.stderr.write("bench:audit: the audit topic does not hold exactly one violation record per denied check answered (see above)\n");
    }
    if (!flowSummary.verified) {
      failed = true;
      process.stderr.write("bench:audit: the flow reports do not add up to the checks audit on + flows answered (see above)\n");
    }
  } finally {
    await admin?.disconnect().catch(() => undefined);
    for (const s of services) s.client.close();
    await Promise.all([...services, ...neighbours].map((s) => endChild(s.child, 5_000)));
    await stopAll();
    await broker?.stop();
  }
  if (failed) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`\nbench:audit FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
