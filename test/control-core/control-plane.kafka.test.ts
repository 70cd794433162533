import { signatureId } from "@flowzone/control";

import { waitFor, waitUntil } from "../support/poll";
import { produce } from "../support/topics";
import { auditRecords, controlError, controlState, startHarness, type Harness } from "./control-harness";
import { BUNDLE, trafficRecord, violationRecord, type Flow } from "./control-support";

const admin = { subject: "alice" };
const toAds: Flow = { zone: "banana", rule: "boundary", producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"] };
const otherToAds: Flow = { ...toAds, producer: "svc:other-app" };
const toExport: Flow = { zone: "banana", rule: "no-export", producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };

describe("control plane", () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.stop();
  });

  async function violate(flows: readonly Flow[], atMs = h.clock.now()): Promise<void> {
    await produce(h.kafka, h.auditTopic, flows.map((flow) => violationRecord(flow, atMs)));
  }

  async function openCount(zone: string, expected: number): Promise<void> {
    await waitUntil(`${expected} open in ${zone}`, async () => (await h.running.controlPlane.getZone(zone)).openViolations, (open) => open === expected, { timeoutMs: 20_000 });
  }

  it("refuses enforcement with numbered blockers, allows a forced flip with a reason, and always allows a rollback", async () => {
    const cp = h.running.controlPlane;
    await violate([toAds, toAds, toExport]);
    await openCount("banana", 2);
    h.clock.advance(40_000);

    const refused = await controlError(cp.flip("banana", { to: "enforcement", reason: "go", force: false }, admin));
    expect(refused.code).toBe("not_drained");
    expect(refused.details.blockers).toEqual([
      "2 violation signatures are still open",
      "last violation 40s ago; the quiet period is 1m (20s to go)",
      "no decisions evaluated in the last 1m: a zone that saw no traffic is not proven",
    ]);
    expect((await cp.getZone("banana")).mode).toBe("logging");

    expect((await controlError(cp.flip("banana", { to: "enforcement", reason: " ", force: true }, admin))).code).toBe("invalid_argument");
    expect((await controlError(cp.flip("nope", { to: "logging", reason: "x", force: false }, admin))).code).toBe("not_found");

    const forced = await cp.flip("banana", { to: "enforcement", reason: "incident 42", force: true }, admin);
    expect(forced.mode).toBe("enforcement");
    const rolledBack = await cp.flip("banana", { to: "logging", reason: "it broke checkout", force: false }, { subject: "bob" });
    expect(rolledBack.mode).toBe("logging");

    const detail = await cp.getZone("banana");
    expect(detail.history.map(({ from, to, actor, reason, forced: f, automatic }) => ({ from, to, actor, reason, forced: f, automatic }))).toEqual([
      { from: "enforcement", to: "logging", actor: "bob", reason: "it broke checkout", forced: false, automatic: false },
      { from: "logging", to: "enforcement", actor: "alice", reason: "incident 42", forced: true, automatic: false },
    ]);
    expect(detail.readiness.quietPeriodEndsAt?.getTime()).toBe(h.clock.now() + 20_000);

    const flips = (await auditRecords(h)).filter((r) => r.event.case === "zoneFlip");
    expect(flips.map((r) => (r.event.case === "zoneFlip" ? [r.zone, r.event.value.actor, r.event.value.reason, r.event.value.forced] : []))).toEqual([
      ["banana", "alice", "incident 42", true],
      ["banana", "bob", "it broke checkout", false],
    ]);
    const epochs = flips.map((r) => (r.event.case === "zoneFlip" ? Number(r.event.value.epoch) : 0));
    expect(epochs[1]).toBeGreaterThan(epochs[0] ?? Infinity);
  }, 60_000);

  it("flips once drained and proven by traffic; marking fixed resolves until the flow recurs", async () => {
    const cp = h.running.controlPlane;
    await violate([toAds]);
    await openCount("banana", 1);
    const id = signatureId(toAds);
    const fixed = await cp.markFixed(id, "producer now writes to kafka:banana-ads", admin);
    expect(fixed).toMatchObject({ status: "resolved", resolution: "fixed", reopened: 0 });
    expect((await controlError(cp.markFixed("0".repeat(32), "", admin))).code).toBe("not_found");

    h.clock.advance(61_000);
    await produce(h.kafka, h.auditTopic, [trafficRecord("banana", 25, h.clock.now())]);
    await waitUntil("25 decisions in banana's quiet period", async () => (await cp.getZone("banana")).readiness.decisionsInQuietPeriod, (decisions) => decisions === 25, { timeoutMs: 20_000 });
    const ready = await cp.getZone("banana");
    expect(ready).toMatchObject({ drained: true, readyToEnforce: true, readiness: { ready: true, blockers: [], quietPeriodEndsAt: null } });
    expect((await cp.flip("banana", { to: "enforcement", reason: "drained", force: false }, admin)).mode).toBe("enforcement");

    await violate([toAds], h.clock.now() + 1);
    await openCount("banana", 1);
    const [reopened] = await cp.listViolations("banana", { status: "all", limit: 10 });
    expect(reopened).toMatchObject({ id, status: "open", resolution: null, reopened: 1, count: 2 });
    const fixedAudit = (await auditRecords(h)).find((r) => r.event.case === "violationFixed");
    expect(fixedAudit?.event.value).toMatchObject({ violationId: id, actor: "alice", note: "producer now writes to kafka:banana-ads" });
  }, 60_000);

  it("forecasts the drain from the last week's pace: resolved against newly opened signatures", async () => {
    const cp = h.running.controlPlane;
    const day = 86_400_000;
    await violate([toAds, otherToAds, toExport], h.clock.now() - 10 * day);
    await openCount("banana", 3);
    // Opened before the window, nothing resolved in it: no pace, no date.
    expect((await cp.getZone("banana")).drain).toEqual({ state: "not_draining", resolvedPerDay: 0, openedPerDay: 0, projectedDrainAt: null, windowDays: 7 });

    await cp.markFixed(signatureId(toAds), "moved to kafka:banana-ads", admin);
    // One resolved in 7 days: 1/7 a day; the 2 still open drain in 14 days.
    const draining = (await cp.listZones()).find((zone) => zone.name === "banana")?.drain;
    expect(draining).toMatchObject({ state: "draining", resolvedPerDay: 1 / 7, openedPerDay: 0 });
    expect(draining?.projectedDrainAt?.getTime()).toBe(h.clock.now() + 14 * day);

    const newFlow: Flow = { ...toAds, producer: "svc:third-app" };
    await violate([newFlow]);
    await openCount("banana", 3);
    // One new for one fixed: the backlog holds its size.
    expect((await cp.getZone("banana")).drain).toMatchObject({ state: "not_draining", resolvedPerDay: 1 / 7, openedPerDay: 1 / 7, projectedDrainAt: null });

    // A week on, the window holds none of it.
    h.clock.advance(8 * day);
    expect((await cp.getZone("banana")).drain).toMatchObject({ state: "not_draining", resolvedPerDay: 0, openedPerDay: 0 });
  }, 60_000);

  it("grants exceptions that resolve the signatures they cover, rejects bad ones, and expires them on a tick", async () => {
    const cp = h.running.controlPlane;
    await violate([toAds, otherToAds, toExport]);
    await openCount("banana", 3);
    const expiresAt = new Date(h.clock.now() + 3_600_000);
    const request = { producer: "svc:banana-*", sink: "kafka:ads", justification: "ads migration, JIRA-7", expiresAt };

    for (const [bad, message] of [
      [{ ...request, producer: "banana app" }, "not an asset-id pattern"],
      [{ ...request, justification: "" }, "needs a justification"],
      [{ ...request, expiresAt: new Date(h.clock.now() - 1) }, "is not in the future"],
      [{ ...request, expiresAt: new Date("9999-12-31T00:00:00Z") }, "is further away than the longest an exception may last, 90 days (maxExceptionLifetime of the bundle's Defaults)"],
      [{ ...request, sink: `kafka:${"s".repeat(300)}` }, "sink is 306 bytes long; the longest accepted is 256 bytes"],
    ] as const) {
      const error = await controlError(cp.grantException("banana", bad, admin));
      expect([error.code, error.message]).toEqual(["invalid_argument", expect.stringContaining(message)]);
    }
    expect((await controlError(cp.grantException("nope", request, admin))).code).toBe("not_found");

    const granted = await cp.grantException("banana", request, admin);
    expect(granted).toMatchObject({ zone: "banana", approver: "alice", justification: "ads migration, JIRA-7" });
    const all = await cp.listViolations("banana", { status: "all", limit: 10 });
    const byId = new Map(all.map((v) => [v.id, v]));
    expect(byId.get(signatureId(toAds))).toMatchObject({ status: "resolved", resolution: "exception" });
    expect(byId.get(signatureId(otherToAds))).toMatchObject({ status: "open", resolution: null });
    expect(byId.get(signatureId(toExport))).toMatchObject({ status: "open", resolution: null });
    expect((await cp.getZone("banana")).exceptions.map((e) => e.id)).toEqual([granted.id]);
    expect((await controlState(h)).get(`exception/${granted.id}`)?.item).toMatchObject({ kind: "exception", producer: "svc:banana-*" });

    h.clock.advance(3_600_001);
    await h.running.tick();
    expect((await cp.getZone("banana")).exceptions).toEqual([]);
    expect((await controlState(h)).get(`exception/${granted.id}`)).toBeNull();
    const kinds = (await auditRecords(h)).map((r) => r.event.case);
    expect(kinds.filter((k) => k === "exceptionGranted" || k === "exceptionExpired")).toEqual(["exceptionGranted", "exceptionExpired"]);
    expect((await controlError(cp.revokeException("missing", admin))).code).toBe("not_found");
  }, 60_000);

  it("re-evaluates open signatures on a policy push and reports every file:line of a bad bundle", async () => {
    const cp = h.running.controlPlane;
    await violate([toAds, toExport]);
    await openCount("banana", 2);

    const broken = await controlError(cp.pushPolicy({ ...BUNDLE, "zones.yaml": `${BUNDLE["zones.yaml"] ?? ""}---\nkind: Zone\nname: pear\nprotects: [pear]\nbogus: 1\n` }, admin));
    expect(broken.code).toBe("invalid_policy");
    expect(broken.details.errors?.length).toBeGreaterThanOrEqual(2);
    for (const line of broken.details.errors ?? []) expect(line).toMatch(/^zones\.yaml:\d+: /);

    const widened = { ...BUNDLE, "zones.yaml": (BUNDLE["zones.yaml"] ?? "").replace("members: [kafka:banana-*, svc:banana-ranker]", "members: [kafka:banana-*, svc:banana-ranker, kafka:ads]") };
    const { version } = await cp.pushPolicy(widened, admin);
    expect(version).toMatch(/^sha256:/);
    const all = new Map((await cp.listViolations("banana", { status: "all", limit: 10 })).map((v) => [v.id, v]));
    expect(all.get(signatureId(toAds))).toMatchObject({ status: "resolved", resolution: "policy_change" });
    expect(all.get(signatureId(toExport))).toMatchObject({ status: "open" });

    const state = await controlState(h);
    expect(state.get("bundle")?.item).toMatchObject({ kind: "bundle", version });
    const pushed = (await auditRecords(h)).find((r) => r.event.case === "policyPushed");
    expect(pushed?.event.value).toMatchObject({ version, actor: "alice", fileCount: 2 });
  }, 60_000);

  it("keeps the current state on the control topic and republishes it at a higher epoch on restart", async () => {
    const cp = h.running.controlPlane;
    await cp.flip("banana", { to: "off", reason: "noisy", force: false }, admin);
    const kept = await cp.grantException("banana", { producer: "svc:a", sink: "kafka:b", justification: "j", expiresAt: new Date(h.clock.now() + 60_000) }, admin);
    const revoked = await cp.grantException("banana", { producer: "svc:c", sink: "kafka:d", justification: "j", expiresAt: new Date(h.clock.now() + 60_000) }, admin);
    await cp.revokeException(revoked.id, admin);

    const before = await controlState(h);
    expect(before.get("zone/banana")?.item).toEqual({ kind: "zone_mode", zone: "banana", mode: "off" });
    expect(before.get(`exception/${kept.id}`)?.item).toMatchObject({ kind: "exception", id: kept.id, zone: "banana" });
    expect(before.get(`exception/${revoked.id}`)).toBeNull();
    const bundleEpoch = before.get("bundle")?.epoch ?? Infinity;

    await h.restart();
    const after = await controlState(h);
    expect(after.get("zone/banana")?.item).toEqual({ kind: "zone_mode", zone: "banana", mode: "off" });
    expect(after.get("bundle")?.epoch).toBeGreaterThan(bundleEpoch);
    expect(after.get(`exception/${kept.id}`)?.epoch).toBe(after.get("bundle")?.epoch);
    expect((await h.running.controlPlane.getZone("banana")).mode).toBe("off");
    const revokes = (await auditRecords(h)).filter((r) => r.event.case === "exceptionRevoked");
    expect(revokes.map((r) => (r.event.case === "exceptionRevoked" ? r.event.value.exceptionId : ""))).toEqual([revoked.id]);
  }, 60_000);

  it("flips an autoEnforce zone by itself once it is ready, recorded as automatic", async () => {
    const cp = h.running.controlPlane;
    await h.running.tick();
    expect((await cp.getZone("apple")).mode).toBe("logging");
    await produce(h.kafka, h.auditTopic, [trafficRecord("apple", 3, h.clock.now())]);
    await waitFor("apple to be ready to enforce", async () => (await cp.getZone("apple")).readyToEnforce, { timeoutMs: 20_000 });
    await h.running.tick();
    const apple = await cp.getZone("apple");
    expect(apple.mode).toBe("enforcement");
    expect(apple.history[0]).toMatchObject({ from: "logging", to: "enforcement", actor: "flowzone", automatic: true, forced: false });
  }, 60_000);
});
