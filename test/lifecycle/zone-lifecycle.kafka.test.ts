/**
 * A zone's whole life, end to end, on real parts only (Kafka, PostgreSQL, the HTTP API, the
 * decision service over gRPC, the stream enforcer): observed in logging, its backlog filled by
 * both enforcement points, a refused flip, remediation by policy push, exception and fix, a
 * recurrence, the drain, the flip, denials and quarantine, and the rollback. Every step is
 * checked through the HTTP API and on the audit topic. The steps run in order on one stack, as
 * ONE test of named steps: the first failure names its step and nothing after it runs.
 */
import { setTimeout as delay } from "node:timers/promises";

import { Decision, EnforcementPoint, Mode, type CheckResponse } from "@flowzone/proto";
import type { ErrorJson, ExceptionJson, ViolationJson, ZoneDetailJson, ZoneJson } from "@flowzone/control-service";

import { waitForEnforcerCaughtUp } from "../enforcer/enforcer-harness";
import { waitUntil } from "../support/poll";
import { DEFAULT_STEP_TIMEOUT_MS, step } from "../support/steps";
import { ADMIN, QUIET_PERIOD_MS, VIEWER, ZONE, bundleFiles, startStack, type AuditEntry, type AuditKind, type Reply, type Stack } from "./lifecycle-harness";

/** The flows of the test; the enforcer's is checked as the route's producer into its `to` topic. */
const APP = "svc:banana-app";
const TO_ADS = { producer: APP, sink: "svc:ads-ranker", labels: ["banana"] }; // remediated by a policy push
const TO_PARTNER = { producer: APP, sink: "kafka:partner-feed", labels: ["banana"] }; // by an exception
const TO_LOGGER = { producer: APP, sink: "svc:ads-logger", labels: ["banana"] }; // marked fixed
const ALLOWED = { producer: APP, sink: "svc:banana-ranker", labels: ["banana"] }; // a member: always allowed

/** The drain waits out the quiet period; every other step has the default deadline. */
const DRAIN_STEP_TIMEOUT_MS = 40_000;
/** The eleven other steps' deadlines, the drain's, and a margin: a stuck step fails naming itself, before jest's timeout. */
const LIFECYCLE_TIMEOUT_MS = 11 * DEFAULT_STEP_TIMEOUT_MS + DRAIN_STEP_TIMEOUT_MS + 10_000;

let stack: Stack;
let enforcerSink: string;

beforeAll(async () => {
  stack = await startStack();
  enforcerSink = `kafka:${stack.topics.to}`;
}, 60_000);

afterAll(async () => {
  await stack.stop();
}, 30_000);

/** The last warnings and errors the parts logged, to read next to a failed step. */
function lastProblems(): string {
  const logged = stack.problems.slice(-5).map((line) => JSON.stringify(line)).join("\n");
  return logged === "" ? "" : `last problems logged:\n${logged}\n`;
}

function violationsPath(status: "open" | "resolved" | "all" = "all"): string {
  return `/v1/zones/${ZONE}/violations?status=${status}&limit=100`;
}

async function violations(status: "open" | "resolved" | "all" = "all"): Promise<ViolationJson[]> {
  return (await stack.api.get<{ violations: ViolationJson[] }>(violationsPath(status))).violations;
}

function bySink(list: readonly ViolationJson[], sink: string): ViolationJson | undefined {
  return list.find((v) => v.sink === sink && v.rule === "boundary");
}

/** Waits for the signature into `sink` to satisfy `accept`, and returns it. */
async function signature(sink: string, what: string, accept: (v: ViolationJson) => boolean): Promise<ViolationJson> {
  const list = await waitUntil(`${sink}: ${what}`, () => violations(), (all) => {
    const found = bySink(all, sink);
    return found !== undefined && accept(found);
  });
  const found = bySink(list, sink);
  if (found === undefined) throw new Error(`no signature into ${sink}`);
  return found;
}

function change(method: string, path: string, body: unknown, token: string = ADMIN.token): Promise<Reply> {
  return stack.api.call(method, path, { token, body });
}

function flip(to: "enforcement" | "logging", reason: string, token: string = ADMIN.token): Promise<Reply> {
  return change("POST", `/v1/zones/${ZONE}/flip`, { to, reason }, token);
}

/**
 * Waits for `count` audit records of a control change and returns every one of that kind on the
 * topic once it is read to its end offsets (so one written twice is there to be seen).
 */
async function auditOf<K extends AuditKind>(kind: K, count: number): Promise<AuditEntry<K>[]> {
  await waitUntil(`${count} ${kind} audit record(s)`, () => stack.audit.of(kind).length, (n) => n >= count);
  await stack.audit.readToEnd();
  return stack.audit.of(kind);
}

/**
 * Waits until the backlog has aggregated every violation of the flow into `sink` that is on the
 * audit topic (its count equals theirs: exactly once), and returns the signature.
 */
async function backlogMatchesAudit(sink: string): Promise<ViolationJson> {
  const onTopic = (): number => stack.audit.of("violation").filter((v) => v.event.sink === sink && v.event.rule === "boundary").length;
  return signature(sink, "its count equal to the audit topic's", (v) => v.count === onTopic());
}

function epochOf(policyVersion: string): number {
  const match = /@(\d+)$/.exec(policyVersion);
  if (match?.[1] === undefined) throw new Error(`policy version ${policyVersion} names no epoch`);
  return Number(match[1]);
}

/** Checks a write until the decision service answers as `accept` wants (it follows the control topic). */
function checkUntil(write: typeof TO_ADS, what: string, accept: (response: CheckResponse) => boolean): Promise<CheckResponse> {
  return waitUntil(`decision service: ${what}`, () => stack.pdp.check(write), accept, { timeoutMs: 15_000, intervalMs: 50 });
}

/** Waits until the decision service and the enforcer both decide under `policyVersion`. */
async function propagated(policyVersion: string): Promise<void> {
  await waitUntil(`decision service under ${policyVersion}`, () => stack.decisionService.policyVersion(), (v) => v === policyVersion, { timeoutMs: 15_000, intervalMs: 20 });
  await waitUntil(`enforcer under ${policyVersion}`, () => stack.enforcer.policyVersion(), (v) => v === policyVersion, { timeoutMs: 15_000, intervalMs: 20 });
}

let record = 0;
async function produceToRoute(count: number): Promise<string[]> {
  const values = Array.from({ length: count }, () => `order-${record++}`);
  await stack.produce(values.map((value) => ({ key: value, value })));
  return values;
}

/**
 * Waits until the route's consumer group has committed every record produced to the route, then
 * until the output and quarantine tails have read their topics to the end offsets they have after
 * that: whatever came of the records is in the tails, and nothing more will come. Not the
 * enforcer's own count: it counts a transaction once Kafka accepted its commit, but the commit
 * markers that make its records readable are written after that, and until they are the
 * topics' (read_committed) end offsets stop short of its records. The group's offsets become
 * visible only once the markers are written.
 */
async function routed(): Promise<void> {
  await waitForEnforcerCaughtUp(stack.client, stack.route);
  await Promise.all([stack.out.readToEnd(), stack.quarantined.readToEnd()]);
}

it("a zone's lifecycle, end to end: logging, backlog, refused flip, remediation, drain, enforcement, rollback", async () => {
  try {
    await lifecycle();
  } catch (error) {
    process.stderr.write(lastProblems());
    throw error;
  }
}, LIFECYCLE_TIMEOUT_MS);

async function lifecycle(): Promise<void> {
  await step("starts in logging and guards changes with bearer tokens", async () => {
    const { zones } = await stack.api.get<{ zones: ZoneJson[] }>("/v1/zones");
    expect(zones).toEqual([expect.objectContaining({ name: ZONE, mode: "logging", effectiveMode: "logging", openViolations: 0, lastViolationAt: null, drained: true, readyToEnforce: false })]);

    expect((await stack.api.call("GET", "/v1/zones")).status).toBe(401);
    const anonymous = await stack.api.call("POST", `/v1/zones/${ZONE}/flip`, { body: { to: "enforcement", reason: "no token" } });
    expect(anonymous.status).toBe(401);
    expect((anonymous.body as ErrorJson).error.message).toContain("missing bearer token");
    const bad = await stack.api.call("POST", `/v1/zones/${ZONE}/flip`, { token: "not-a-token-at-all", body: { to: "enforcement", reason: "bad token" } });
    expect(bad.status).toBe(401);
    expect((bad.body as ErrorJson).error.code).toBe("unauthenticated");
    const viewer = await flip("enforcement", "a viewer tries", VIEWER.token);
    expect(viewer.status).toBe(403);
    expect((viewer.body as ErrorJson).error).toMatchObject({ code: "permission_denied" });
    expect((viewer.body as ErrorJson).error.message).toContain(VIEWER.subject);
    expect(stack.audit.of("zoneFlip")).toEqual([]);
  });

  await step("records violations of both enforcement points while logging, letting the writes through", async () => {
    for (const [write, times] of [[TO_ADS, 3], [TO_PARTNER, 2], [TO_LOGGER, 1]] as const) {
      for (let i = 0; i < times; i++) {
        const response = await stack.pdp.check(write);
        expect(response.decision).toBe(Decision.ALLOW);
        expect(response.violations).toEqual([expect.objectContaining({ zone: ZONE, rule: "boundary", mode: Mode.LOGGING, enforced: false })]);
      }
    }
    const sent = await produceToRoute(2);
    await routed();
    expect(stack.out.values()).toEqual(sent);
    expect(stack.quarantined.messages).toEqual([]);
    expect(stack.out.messages[0]?.headers?.["flowzone-labels"]?.toString()).toBe("banana");

    await waitUntil("8 violation audit records", () => stack.audit.of("violation").length, (n) => n >= 8);
    await stack.audit.readToEnd();
    const audited = stack.audit.of("violation");
    const fromPdp = audited.filter((v) => v.event.enforcementPoint === EnforcementPoint.DECISION_SERVICE);
    const fromEnforcer = audited.filter((v) => v.event.enforcementPoint === EnforcementPoint.STREAM_ENFORCER);
    expect(fromPdp).toHaveLength(6);
    expect(fromEnforcer).toHaveLength(2);
    for (const { record, event } of audited) {
      expect(record.zone).toBe(ZONE);
      expect(event).toMatchObject({ rule: "boundary", mode: Mode.LOGGING, enforced: false });
    }
    expect(fromEnforcer.map((v) => v.event)).toEqual([
      expect.objectContaining({ producer: "svc:banana-enricher", sink: enforcerSink, position: expect.objectContaining({ topic: stack.topics.from }) as unknown }),
      expect.objectContaining({ producer: "svc:banana-enricher", sink: enforcerSink }),
    ]);
  });

  const signatureIds = await step("fills the backlog: one signature per flow, with its count", async () => {
    const open = await waitUntil("4 open signatures with their counts", () => violations("open"), (list) => list.reduce((sum, v) => sum + v.count, 0) >= 8);
    const counts = Object.fromEntries(open.map((v) => [`${v.producer} -> ${v.sink}`, v.count]));
    expect(counts).toEqual({
      [`${APP} -> svc:ads-ranker`]: 3,
      [`${APP} -> kafka:partner-feed`]: 2,
      [`${APP} -> svc:ads-logger`]: 1,
      [`svc:banana-enricher -> ${enforcerSink}`]: 2,
    });
    const ids = new Map<string, string>();
    for (const v of open) {
      expect(v).toMatchObject({ zone: ZONE, rule: "boundary", labels: ["banana"], status: "open", resolution: null, reopened: 0 });
      ids.set(v.sink, v.id);
    }
    const zone = await stack.api.get<ZoneDetailJson>(`/v1/zones/${ZONE}`);
    expect(zone).toMatchObject({ mode: "logging", openViolations: 4, drained: false, readyToEnforce: false });
    expect(zone.lastViolationAt).not.toBeNull();
    expect(zone.topOpenFlows[0]).toMatchObject({ producer: APP, sink: "svc:ads-ranker", count: 3 });
    return ids;
  });

  await step("refuses to flip a zone with a backlog, listing each blocker with its number", async () => {
    const refused = await flip("enforcement", "try before draining");
    expect(refused.status).toBe(409);
    const error = (refused.body as ErrorJson).error;
    expect(error.code).toBe("not_drained");
    expect(error.blockers).toEqual(expect.arrayContaining(["4 violation signatures are still open"]));
    expect(error.blockers?.length).toBeGreaterThanOrEqual(2);
    for (const blocker of error.blockers ?? []) expect(blocker).toMatch(/\d/);
    expect((await stack.api.get<ZoneJson>(`/v1/zones/${ZONE}`)).mode).toBe("logging");
    await stack.audit.readToEnd();
    expect(stack.audit.of("zoneFlip")).toEqual([]);
  });

  await step("remediates by a policy push that makes the sink a member: resolved as policy_change", async () => {
    const bad = await change("PUT", "/v1/policy", { files: { "zones.yaml": "kind: Zone\nname: broken\nprotects: [kiwi]\n" } });
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorJson).error.errors?.join("\n")).toMatch(/zones\.yaml:\d+: .*kiwi/);

    // The producer keeps writing while the policy is pushed and spreads to the decision services.
    const writing = violatingTraffic(TO_ADS);
    await writing.underWay();
    const pushed = await change("PUT", "/v1/policy", { files: bundleFiles(stack.topics.from, ["svc:ads-ranker"]) });
    expect(pushed.status).toBe(200);
    const { version } = pushed.body as { version: string };
    expect(version).toMatch(/^sha256:/);

    const all = await violations();
    expect(bySink(all, "svc:ads-ranker")).toMatchObject({ status: "resolved", resolution: "policy_change" });
    for (const sink of ["kafka:partner-feed", "svc:ads-logger", enforcerSink]) expect(bySink(all, sink)).toMatchObject({ status: "open", resolution: null });

    const [audit] = await auditOf("policyPushed", 1);
    expect(audit?.event).toMatchObject({ version, actor: ADMIN.subject, fileCount: 4 });
    const policyVersion = audit?.record.policyVersion ?? "";
    expect(policyVersion).toMatch(new RegExp(`^${version}@\\d+$`));
    await propagated(policyVersion);
    await writing.stop();
    const response = await stack.pdp.check(TO_ADS);
    expect(response).toMatchObject({ decision: Decision.ALLOW, violations: [], policyVersion });
    // Writes decided under the old policy while the push spread are counted, but do not undo it.
    const settled = await backlogMatchesAudit("svc:ads-ranker");
    expect(settled).toMatchObject({ status: "resolved", resolution: "policy_change", reopened: 0 });
    expect(settled.count).toBeGreaterThanOrEqual(3);
  });

  await step("remediates by an exception: resolved as exception", async () => {
    const writing = violatingTraffic(TO_PARTNER);
    await writing.underWay();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const granted = await change("POST", `/v1/zones/${ZONE}/exceptions`, { producer: APP, sink: "kafka:partner-feed", justification: "partner contract #42", expiresAt });
    expect(granted.status).toBe(201);
    const exception = granted.body as ExceptionJson;
    expect(exception).toMatchObject({ zone: ZONE, producer: APP, sink: "kafka:partner-feed", approver: ADMIN.subject, justification: "partner contract #42" });
    expect(exception.id).not.toBe("");

    const all = await violations();
    expect(bySink(all, "kafka:partner-feed")).toMatchObject({ status: "resolved", resolution: "exception" });
    for (const sink of ["svc:ads-logger", enforcerSink]) expect(bySink(all, sink)).toMatchObject({ status: "open" });
    const zone = await stack.api.get<ZoneDetailJson>(`/v1/zones/${ZONE}`);
    expect(zone.exceptions).toEqual([expect.objectContaining({ id: exception.id, approver: ADMIN.subject })]);

    const [audit] = await auditOf("exceptionGranted", 1);
    expect(audit?.record.zone).toBe(ZONE);
    expect(audit?.event).toMatchObject({ exceptionId: exception.id, producer: APP, sink: "kafka:partner-feed", justification: "partner contract #42", actor: ADMIN.subject });
    const policyVersion = audit?.record.policyVersion ?? "";
    await propagated(policyVersion);
    await writing.stop();
    expect(await stack.pdp.check(TO_PARTNER)).toMatchObject({ decision: Decision.ALLOW, violations: [], policyVersion });
    const settled = await backlogMatchesAudit("kafka:partner-feed");
    expect(settled).toMatchObject({ status: "resolved", resolution: "exception", reopened: 0 });
    expect(settled.count).toBeGreaterThanOrEqual(2);
  });

  await step("remediates by marking fixed: resolved as fixed", async () => {
    for (const sink of ["svc:ads-logger", enforcerSink]) {
      const fixed = await change("POST", `/v1/violations/${signatureIds.get(sink) ?? "missing"}/fixed`, { note: `stopped writing to ${sink}` });
      expect(fixed.status).toBe(200);
      expect(fixed.body).toMatchObject({ sink, status: "resolved", resolution: "fixed", reopened: 0 });
    }
    expect(await violations("open")).toEqual([]);
    const audits = await auditOf("violationFixed", 2);
    expect(audits.map((a) => a.event)).toEqual([
      expect.objectContaining({ violationId: signatureIds.get("svc:ads-logger"), sink: "svc:ads-logger", actor: ADMIN.subject, note: "stopped writing to svc:ads-logger" }),
      expect.objectContaining({ violationId: signatureIds.get(enforcerSink), sink: enforcerSink, actor: ADMIN.subject, note: `stopped writing to ${enforcerSink}` }),
    ]);
  });

  await step("reopens a fixed flow that recurs, and it can be fixed again", async () => {
    await produceToRoute(1);
    const reopened = await signature(enforcerSink, "reopened", (v) => v.status === "open");
    expect(reopened).toMatchObject({ status: "open", resolution: null, reopened: 1, count: 3 });
    const zone = await stack.api.get<ZoneJson>(`/v1/zones/${ZONE}`);
    expect(zone).toMatchObject({ openViolations: 1, drained: false });

    const fixed = await change("POST", `/v1/violations/${reopened.id}/fixed`, { note: "really stopped now" });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ status: "resolved", resolution: "fixed", reopened: 1, count: 3 });
    const audits = await auditOf("violationFixed", 3);
    expect(audits[2]?.event).toMatchObject({ violationId: reopened.id, note: "really stopped now", actor: ADMIN.subject });
  });

  const traffic = await step("drains after its quiet period while allowed traffic keeps flowing", async () => {
    const running = allowedTraffic();
    const waiting = await stack.api.get<ZoneDetailJson>(`/v1/zones/${ZONE}`);
    expect(waiting).toMatchObject({ openViolations: 0, drained: false, readyToEnforce: false });
    expect(waiting.readiness.quietPeriodEndsAt).not.toBeNull();
    expect(waiting.readiness.blockers.some((b) => b.includes("quiet period"))).toBe(true);

    const ready = await waitUntil("the zone ready to enforce", () => stack.api.get<ZoneDetailJson>(`/v1/zones/${ZONE}`), (z) => z.readyToEnforce, { timeoutMs: QUIET_PERIOD_MS + 15_000, intervalMs: 250 });
    expect(ready).toMatchObject({ openViolations: 0, drained: true, readyToEnforce: true });
    expect(ready.readiness).toMatchObject({ ready: true, blockers: [], quietPeriodEndsAt: null });
    expect(ready.readiness.decisionsInQuietPeriod).toBeGreaterThan(0);
    const lastViolation = Date.parse(ready.lastViolationAt ?? "");
    expect(Date.now() - lastViolation).toBeGreaterThanOrEqual(QUIET_PERIOD_MS);
    expect(stack.audit.of("zoneTraffic").some((t) => t.record.zone === ZONE && t.event.decisions > 0n)).toBe(true);
    return running;
  }, { timeoutMs: DRAIN_STEP_TIMEOUT_MS });

  const enforcementEpoch = await step("flips to enforcement once drained", async () => {
    const flipped = await flip("enforcement", "backlog drained; privacy review PRIV-7");
    expect(flipped.status).toBe(200);
    expect(flipped.body).toMatchObject({ name: ZONE, mode: "enforcement", effectiveMode: "enforcement", openViolations: 0, drained: true });
    const [audit] = await auditOf("zoneFlip", 1);
    expect(audit?.record.zone).toBe(ZONE);
    expect(audit?.event).toMatchObject({ from: Mode.LOGGING, to: Mode.ENFORCEMENT, actor: ADMIN.subject, reason: "backlog drained; privacy review PRIV-7", forced: false, automatic: false });
    const epoch = Number(audit?.event.epoch ?? 0);
    expect(epochOf(audit?.record.policyVersion ?? "")).toBe(epoch);
    const allowed = await traffic.stop();
    expect(allowed).toBeGreaterThan(0);
    return epoch;
  });

  await step("denies the same violating writes at the decision service and quarantines them at the enforcer", async () => {
    const denied = await checkUntil(TO_LOGGER, "deny the fixed flow", (r) => r.decision === Decision.DENY);
    expect(epochOf(denied.policyVersion)).toBe(enforcementEpoch);
    expect(denied.violations).toEqual([expect.objectContaining({ zone: ZONE, rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true })]);
    // The remediated flows stay allowed under enforcement: the pushed policy and the exception hold.
    expect(await stack.pdp.check(TO_ADS)).toMatchObject({ decision: Decision.ALLOW, violations: [] });
    expect(await stack.pdp.check(TO_PARTNER)).toMatchObject({ decision: Decision.ALLOW, violations: [] });
    expect(await stack.pdp.check(ALLOWED)).toMatchObject({ decision: Decision.ALLOW, violations: [] });

    await waitUntil("enforcer under the flip", () => stack.enforcer.policyVersion(), (v) => epochOf(v) === enforcementEpoch, { timeoutMs: 15_000, intervalMs: 20 });
    const forwardedBefore = stack.out.messages.length;
    const [value] = await produceToRoute(1);
    // The enforcer committed the record: the tails have read all that came of it, and no more will come.
    await routed();
    expect(stack.quarantined.values()).toEqual([value]);
    const violationsHeader = JSON.parse(stack.quarantined.messages[0]?.headers?.["flowzone-violations"]?.toString() ?? "[]") as { zone: string; enforced: boolean }[];
    expect(violationsHeader).toEqual([expect.objectContaining({ zone: ZONE, enforced: true })]);
    expect(stack.out.messages).toHaveLength(forwardedBefore);

    await waitUntil("enforced violations audited by both points", () => stack.audit.of("violation").filter((v) => v.event.enforced).length, (n) => n >= 2);
    await stack.audit.readToEnd();
    const enforced = stack.audit.of("violation").filter((v) => v.event.enforced);
    expect(enforced.map((v) => v.event.enforcementPoint).sort()).toEqual([EnforcementPoint.DECISION_SERVICE, EnforcementPoint.STREAM_ENFORCER]);
    for (const { record, event } of enforced) {
      expect(event.mode).toBe(Mode.ENFORCEMENT);
      expect(epochOf(record.policyVersion)).toBe(enforcementEpoch);
    }
    // The backlog sees the recurrences: a fixed flow seen again reopens, enforced or not.
    const logger = await signature("svc:ads-logger", "reopened by the denied write", (v) => v.status === "open");
    expect(logger).toMatchObject({ reopened: 1, count: 2 });
  });

  await step("rolls back to logging at once, letting the writes through again", async () => {
    const rolledBack = await flip("logging", "partner outage INC-9: roll back");
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({ name: ZONE, mode: "logging", effectiveMode: "logging" });
    const audits = await auditOf("zoneFlip", 2);
    const rollback = audits[1];
    expect(rollback?.event).toMatchObject({ from: Mode.ENFORCEMENT, to: Mode.LOGGING, actor: ADMIN.subject, reason: "partner outage INC-9: roll back", forced: false });
    const rollbackEpoch = Number(rollback?.event.epoch ?? 0);
    expect(rollbackEpoch).toBeGreaterThan(enforcementEpoch);

    const allowed = await checkUntil(TO_LOGGER, "allow the flow again", (r) => r.decision === Decision.ALLOW);
    expect(epochOf(allowed.policyVersion)).toBe(rollbackEpoch);
    expect(allowed.violations).toEqual([expect.objectContaining({ zone: ZONE, mode: Mode.LOGGING, enforced: false })]);

    await waitUntil("enforcer under the rollback", () => stack.enforcer.policyVersion(), (v) => epochOf(v) === rollbackEpoch, { timeoutMs: 15_000, intervalMs: 20 });
    const forwardedBefore = stack.out.values();
    const [value] = await produceToRoute(1);
    await routed();
    expect(stack.out.values()).toEqual([...forwardedBefore, value]);
    expect(stack.quarantined.messages).toHaveLength(1);

    const zone = await stack.api.get<ZoneDetailJson>(`/v1/zones/${ZONE}`);
    expect(zone.history).toEqual([
      expect.objectContaining({ from: "enforcement", to: "logging", actor: ADMIN.subject, reason: "partner outage INC-9: roll back", forced: false }),
      expect.objectContaining({ from: "logging", to: "enforcement", actor: ADMIN.subject, reason: "backlog drained; privacy review PRIV-7", forced: false }),
    ]);
    // Only the two flips that happened are on the audit trail; the refused ones left none.
    await stack.audit.readToEnd();
    expect(stack.audit.of("zoneFlip")).toHaveLength(2);
  });
}

/** Checks made in a loop until stopped. */
interface Traffic {
  /** Waits until the first check has been answered: the writes are under way. */
  underWay(): Promise<void>;
  /** Stops the loop; resolves with how many answers it counted. */
  stop(): Promise<number>;
}

/** Violating writes back to back until stopped, as a busy producer makes them. */
function violatingTraffic(write: typeof TO_ADS): Traffic {
  return loopChecks(write, 0, () => true);
}

/** Allowed writes every 50 ms until stopped; resolves with how many were allowed. */
function allowedTraffic(): Traffic {
  return loopChecks(ALLOWED, 50, (response) => response.decision === Decision.ALLOW && response.violations.length === 0);
}

/** Checks `write` every `pauseMs` until stopped; resolves with how many answers `counts` accepted. */
function loopChecks(write: typeof TO_ADS, pauseMs: number, counts: (response: CheckResponse) => boolean): Traffic {
  const state = { running: true, answered: 0, allowed: 0, failed: false };
  const loop = (async (): Promise<Error | undefined> => {
    try {
      while (state.running) {
        if (counts(await stack.pdp.check(write))) state.allowed++;
        state.answered++;
        // Pacing, not a guard: a producer's steady rate of writes.
        await delay(pauseMs);
      }
      return undefined;
    } catch (error) {
      state.failed = true;
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  return {
    underWay: async () => {
      await waitUntil(`the first answer to ${write.producer} -> ${write.sink}`, () => state, (s) => s.answered > 0 || s.failed);
      if (state.failed) throw (await loop) ?? new Error("the traffic loop failed");
    },
    stop: async () => {
      state.running = false;
      const failure = await loop;
      if (failure !== undefined) throw failure;
      return state.allowed;
    },
  };
}
