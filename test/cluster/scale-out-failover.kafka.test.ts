/**
 * Scale-out and failover (issue 11): three decision services, three enforcers in one group on a
 * six-partition source, two control-plane replicas on one database, on a three-node Kafka cluster
 * of the test's own. A producer writes N records (allowed, logging, enforced and malformed) and
 * another asks the decision services before its writes, while the test stops the broker leading
 * the most partitions and brings it back, SIGKILLs an enforcer and starts it again, kills the
 * control plane's leader (the other replica takes over) and flips zone banana to enforcement
 * through the follower. At the end every record is exactly once in the output or in quarantine,
 * as its audit record says it was decided; every violation has exactly one audit record; the flip
 * is in force on every decision service and every enforcer; the backlog's counts equal the audit
 * trail's; one replica leads. The figures (records, faults, times to recover) go to stderr.
 * Written as ONE test of named steps: the first failure names its step.
 */
import { AUDIT_TOPIC } from "@flowzone/kafka";
import { Decision, EnforcementPoint } from "@flowzone/proto";
import type { ViolationJson } from "@flowzone/control-service";

import { committedOffsets, waitForEnforcerCaughtUp, waitForEnforcerProgress } from "../enforcer/enforcer-harness";
import { waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { readCommittedExactly, readToEnd } from "../support/topic-tail";
import { CheckTraffic } from "./check-traffic";
import type { ControlReplica } from "./control-replica";
import { busiestNode, waitForLeadershipsMoved, waitForReplicasInSync } from "./partition-leaders";
import { decodeAudits, FLIPPED_ZONE, routingProblems, sourceRecord, violationsOf } from "./failover-records";
import { diagnoseRouting } from "./routing-diagnosis";
import { enforcerStarted, SOURCE_PARTITIONS, startFailoverStack, type FailoverStack } from "./failover-stack";
import { SourceWriter } from "./source-writer";

/** Records written; the last TAIL only once the flip is in force everywhere. */
const N = 3000;
const TAIL = 600;
/** Small chunks, paced: about 75 records a second, so the records keep coming through every fault. */
const CHUNK = 30;
const PAUSE_MS = 400;

/**
 * More than the sum of the steps' deadlines (which exceed the sums of their waits' own), so a
 * stuck wait fails naming what did not happen. A passing run takes a fraction of it.
 */
const TEST_TIMEOUT_MS = 2_000_000;

let stack: FailoverStack | undefined;
let writer: SourceWriter | undefined;
let checks: CheckTraffic | undefined;
/** What the faults cost and what was routed, printed at the end for the notes. */
const figures: string[] = [];

afterAll(async () => {
  process.stderr.write(`scale-out failover figures:\n${figures.map((line) => `  ${line}`).join("\n")}\n`);
  await checks?.stop();
  await writer?.close().catch(() => undefined);
  await stack?.stop();
}, 120_000);

it("routes every record exactly once through a broker stop, an enforcer kill, a control-plane leader kill and a flip", async () => {
  const s = await step("start a three-node cluster, two control planes on one database, three decision services and three enforcers", () => startFailoverStack({ controls: 2, pdps: 3, enforcers: 3 }), { timeoutMs: 240_000 });
  stack = s;
  try {
    await scenario(s);
  } catch (error) {
    process.stderr.write(`${s.output()}\n${writer?.describe() ?? "no source writer"}\n`);
    throw error;
  }
}, TEST_TIMEOUT_MS);

async function scenario(s: FailoverStack): Promise<void> {
  await step("one control-plane replica leads", async () => {
    await oneLeader(s.controls);
  });

  const w = await SourceWriter.start(s.kafka, { topic: s.topics.from, total: N, chunk: CHUNK, pauseMs: PAUSE_MS, holdAt: N - TAIL, record: (i) => sourceRecord(i, SOURCE_PARTITIONS) });
  writer = w;
  const traffic = new CheckTraffic(s.pdps.map((p) => p.client), 200);
  checks = traffic;

  await step("stop the broker leading the most partitions mid-stream: the stream goes on through the other two; bring it back", async () => {
    // First of the faults, while the writer is still writing (it holds back the tail from record
    // N - TAIL on): records keep coming while the broker is down.
    await w.reached(300, 90_000);
    await waitForEnforcerProgress(s.kafka, s.route);
    const topics = [s.topics.from, s.topics.to, s.topics.quarantine, AUDIT_TOPIC];
    const { node, leads } = await busiestNode(s.kafka, s.cluster.nodes, topics);
    expect(leads).toBeGreaterThan(0);
    const committedBefore = total(await committedOffsets(s.kafka, s.route));
    const writtenBefore = w.next;
    const stoppedAt = Date.now();
    await node.stop();
    await waitForLeadershipsMoved(s.kafka, node, topics);
    // More records while it is down, unless the writer is already holding back the tail.
    await w.reached(Math.min(writtenBefore + 150, N - TAIL), 120_000);
    await waitUntil("the enforcers' group to commit more of the source with the broker down", async () => total(await committedOffsets(s.kafka, s.route)), (committed) => committed > committedBefore, { timeoutMs: 120_000, intervalMs: 500 });
    figures.push(`broker ${node.nodeId} (leading ${leads} partitions) stopped: the enforcers committed again ${Date.now() - stoppedAt} ms after the stop`);
    const startedAt = Date.now();
    await node.start();
    await waitForReplicasInSync(s.kafka, topics);
    figures.push(`broker ${node.nodeId} back: every replica in sync ${Date.now() - startedAt} ms after the start`);
  }, { timeoutMs: 420_000 });

  await step("SIGKILL an enforcer mid-stream and start it again", async () => {
    await w.reached(300);
    await waitForEnforcerProgress(s.kafka, s.route);
    const [enforcer] = s.enforcers;
    if (enforcer === undefined) throw new Error("no enforcer");
    const killedAt = Date.now();
    await enforcer.kill();
    await w.reached(600);
    enforcer.start();
    await enforcerStarted(enforcer);
    figures.push(`enforcer ${enforcer.name} SIGKILLed: started again and routing ${Date.now() - killedAt} ms later`);
  }, { timeoutMs: 390_000 });

  await step("kill the control plane's leader: the other replica takes over", async () => {
    await w.reached(1600, 90_000);
    const leader = await oneLeader(s.controls);
    const killedAt = Date.now();
    await leader.kill();
    const successor = await oneLeader(s.controls, 60_000);
    figures.push(`control-plane leader ${leader.name} killed: ${successor.name} led ${Date.now() - killedAt} ms later`);
    expect(successor).not.toBe(leader);
    leader.start();
    await leader.listening(150_000);
    // Started again, it follows: leadership stays where it went.
    expect(await oneLeader(s.controls)).toBe(successor);
  }, { timeoutMs: 390_000 });

  const flippedFrom = await step("flip banana to enforcement through the follower: in force on every decision service and enforcer", async () => {
    await w.reached(2000, 90_000);
    const follower = await followerOf(s.controls);
    const response = await fetch(`${follower.baseUrl()}/v1/zones/${FLIPPED_ZONE}/flip`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: "enforcement", reason: "failover test: flipped mid-stream", force: true }),
      signal: AbortSignal.timeout(15_000),
    });
    expect(response.status).toBe(200);
    const versions = [];
    for (const i of s.pdps.keys()) {
      const answer = await waitUntil(`decision service p${i + 1} to deny ${FLIPPED_ZONE} writes`, () => traffic.check(i), (r) => r.decision === Decision.DENY, { timeoutMs: 30_000, intervalMs: 100 });
      versions.push(answer.policyVersion);
    }
    const [version] = versions;
    expect(new Set(versions)).toEqual(new Set([version]));
    for (const enforcer of s.enforcers) {
      await waitUntil(`enforcer ${enforcer.name} to decide under ${version}`, () => enforcer.policyVersion(), (v) => v === version, { timeoutMs: 30_000, intervalMs: 100 });
    }
    // Every record from here on is written after the flip was in force on every enforcer.
    const from = w.next;
    w.release();
    return from;
  }, { timeoutMs: 300_000 });

  await step("the rest is written and the enforcers' group commits the whole source", async () => {
    await w.done(90_000);
    await traffic.stop();
    await waitForEnforcerCaughtUp(s.kafka, s.route, 150_000);
  }, { timeoutMs: 270_000 });

  await step("every record exactly once in the output or in quarantine, as decided, with one audit record per violation", async () => {
    // Committed or aborted as the transaction markers say: the kills leave aborted transactions.
    const [input, out, quarantined, trail] = await Promise.all([
      readToEnd(s.kafka, s.topics.from, { timeoutMs: 60_000 }),
      readCommittedExactly(s.kafka, s.topics.to, { timeoutMs: 90_000 }),
      readCommittedExactly(s.kafka, s.topics.quarantine, { timeoutMs: 90_000 }),
      readCommittedExactly(s.kafka, AUDIT_TOPIC, { timeoutMs: 90_000 }),
    ]);
    const routed = { input, out, quarantined, audits: trail };
    const problems = routingProblems(N, flippedFrom, routed);
    // A failure says what became of each record named: never written, aborted, or past the read.
    if (problems.length > 0) {
      const diagnosis = await diagnoseRouting(s.kafka, s.topics, N, flippedFrom, routed, problems).catch((error: unknown) => `routing diagnosis failed: ${String(error)}\n`);
      process.stderr.write(diagnosis);
    }
    expect(problems).toEqual([]);
    figures.push(`${input.length} records written: ${out.length} in the output, ${quarantined.length} in quarantine, ${trail.length} audit records; duplicates 0, lost 0 (routingProblems found none)`);
  }, { timeoutMs: 120_000 });

  const audits = await step("every violation the decision services answered has exactly one audit record, and the flip one", async () => {
    expect(traffic.failures).toEqual([]);
    const answered = traffic.answers.filter((a) => a.violations.length > 0).map((a) => a.decisionId).sort();
    expect(answered.length).toBeGreaterThan(0);
    // A decision service answers once the record is in its spool; it reaches the topic soon after.
    const trail = await waitUntil(
      `the audit records of the ${answered.length} violations answered`,
      async () => decodeAudits(await readCommittedExactly(s.kafka, AUDIT_TOPIC, { timeoutMs: 60_000 })),
      (records) => new Set(pdpDecisions(records)).size >= new Set(answered).size,
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(pdpDecisions(trail).sort()).toEqual(answered);
    expect(trail.filter((r) => r.event.case === "zoneFlip").map((r) => r.zone)).toEqual([FLIPPED_ZONE]);
    return trail;
  }, { timeoutMs: 90_000 });

  await step("the backlog counts exactly what the audit trail holds", async () => {
    const trail = trailCounts(audits);
    const leader = await oneLeader(s.controls);
    await waitUntil("the backlog's counts to equal the audit trail's", () => backlogCounts(leader), (counts) => JSON.stringify(counts) === JSON.stringify(trail), { timeoutMs: 60_000, intervalMs: 500 });
  }, { timeoutMs: 90_000 });
}

/** The decision ids of the decision services' violation records, one per record. */
function pdpDecisions(records: ReturnType<typeof decodeAudits>): string[] {
  return violationsOf(records, EnforcementPoint.DECISION_SERVICE).map((v) => v.event.decisionId);
}

/** Waits until exactly one replica says it leads; that one. */
async function oneLeader(controls: readonly ControlReplica[], timeoutMs = 30_000): Promise<ControlReplica> {
  const leading = await waitUntil(
    "exactly one control-plane replica to lead",
    async () => (await Promise.all(controls.map(async (c) => ((await c.leads()) ? [c] : [])))).flat(),
    (found) => found.length === 1,
    { timeoutMs, intervalMs: 200 },
  );
  const [leader] = leading;
  if (leader === undefined) throw new Error("no leader");
  return leader;
}

async function followerOf(controls: readonly ControlReplica[]): Promise<ControlReplica> {
  const leader = await oneLeader(controls);
  const follower = controls.find((c) => c !== leader);
  if (follower === undefined) throw new Error("no follower");
  return follower;
}

/** Violations on the trail per backlog signature (zone, rule, producer, sink, labels), each record id once. */
function trailCounts(records: ReturnType<typeof decodeAudits>): Record<string, number> {
  const seen = new Set<string>();
  const counts: Record<string, number> = {};
  for (const record of records) {
    if (record.event.case !== "violation" || seen.has(record.id)) continue;
    seen.add(record.id);
    const v = record.event.value;
    const key = signatureKey(record.zone, v.rule, v.producer, v.sink, v.labels);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return sorted(counts);
}

/** The backlog's signatures and their counts, every zone, through the API. */
async function backlogCounts(control: ControlReplica): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const zone of [FLIPPED_ZONE, "health"]) {
    const response = await fetch(`${control.baseUrl()}/v1/zones/${zone}/violations?status=all&limit=100`, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) throw new Error(`GET violations of ${zone}: ${response.status}`);
    for (const v of ((await response.json()) as { violations: ViolationJson[] }).violations) counts[signatureKey(v.zone, v.rule, v.producer, v.sink, v.labels)] = v.count;
  }
  return sorted(counts);
}

function signatureKey(zone: string, rule: string, producer: string, sink: string, labels: readonly string[]): string {
  return `${zone}/${rule}: ${producer} -> ${sink} [${[...new Set(labels)].sort().join(",")}]`;
}

function total(offsets: ReadonlyMap<number, number>): number {
  return [...offsets.values()].reduce((sum, offset) => sum + offset, 0);
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
