// The console's reads on both stores the control plane runs on (the PostgreSQL server and embedded
// PGlite): counts kept by the store's trigger, the daily history, the recent audit window, the
// decision points and keyset pages of violations. Audit records go in as the backlog consumer
// stores them (applyBacklogBatch), in a node process of their own (store-child.ts); the Kafka
// path is console-reads.kafka.test.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { AUDIT_WINDOW_PER_ZONE, signatureId } from "@flowzone/control";
import { parseBundle } from "@flowzone/engine";

import { TEST_DATABASE_URL, uniqueSchema } from "../support/database";
import { BUNDLE, trafficRecord, violationRecord, type Flow } from "./control-support";
import { runOnStore, type StoreStep, type StoreTarget } from "./store-child";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-04T15:00:00Z");
const at = (ms: number): string => new Date(ms).toISOString();
const admin = { subject: "alice" };
const toAds: Flow = { zone: "banana", rule: "boundary", producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"] };
const toExport: Flow = { zone: "banana", rule: "no-export", producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };
const toAdsAgain: Flow = { ...toAds, rule: "no-export" };
const other: Flow = { ...toAds, producer: "svc:other" };
const fixed = (flow: Flow): StoreStep => ({ call: "markFixed", args: [signatureId(flow), "fixed", admin] });

const STORES: readonly string[] = ["the PostgreSQL server", "embedded PGlite"];
/** A node process, a fresh store and its migrations (PGlite's are slow on a loaded machine), then the steps. */
const STORE_TEST_MS = 180_000;

describe.each(STORES)("the console's reads on %s", (storeName) => {
  /** Runs `steps` on a fresh store of this kind. */
  async function run(steps: readonly StoreStep[]): Promise<unknown[]> {
    if (storeName === "the PostgreSQL server") return runOnStore({ databaseUrl: TEST_DATABASE_URL, schema: uniqueSchema() }, NOW, steps);
    const dataDir = await mkdtemp(join(tmpdir(), "flowzone-console-pglite-"));
    const target: StoreTarget = { dataDir };
    try {
      return await runOnStore(target, NOW, steps);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  it("keeps each day's new and resolved signatures and works back each day's open count from today's", async () => {
    const [, before, , week, , today, zone] = await run([
      { consume: [violationRecord(toAds, NOW - 2 * DAY), violationRecord(toExport, NOW - DAY), violationRecord(other, NOW - 60_000), violationRecord(other, NOW)] },
      { call: "zoneHistory", args: ["banana", 3] },
      fixed(toAds),
      { call: "zoneHistory", args: ["banana", 7] },
      // A violation after the fix reopens it: new again today, one more open.
      { consume: [violationRecord(toAds, NOW + 1000)] },
      { call: "zoneHistory", args: ["banana", 1] },
      { call: "getZone", args: ["banana"] },
    ]);
    expect(before).toEqual({
      zone: "banana",
      days: [
        { date: "2026-11-02", open: 1, new: 1, resolved: 0 },
        { date: "2026-11-03", open: 2, new: 1, resolved: 0 },
        { date: "2026-11-04", open: 3, new: 1, resolved: 0 },
      ],
    });
    const days = (week as { days: unknown[] }).days;
    expect(days).toHaveLength(7);
    expect(days[0]).toEqual({ date: "2026-10-29", open: 0, new: 0, resolved: 0 });
    expect(days.slice(-3)).toEqual([
      { date: "2026-11-02", open: 1, new: 1, resolved: 0 },
      { date: "2026-11-03", open: 2, new: 1, resolved: 0 },
      { date: "2026-11-04", open: 2, new: 1, resolved: 1 },
    ]);
    expect(today).toEqual({ zone: "banana", days: [{ date: "2026-11-04", open: 3, new: 2, resolved: 1 }] });
    expect(zone).toMatchObject({ openViolations: 3, lastViolationAt: at(NOW + 1000), drain: { resolvedPerDay: 1 / 7, openedPerDay: 4 / 7 } });
  }, STORE_TEST_MS);

  it("folds open signatures by flow for the top open flows, and drops a flow whose signatures are all resolved", async () => {
    const [, three, , two, , one] = await run([
      { consume: [violationRecord(toAds, NOW), violationRecord(toAdsAgain, NOW), violationRecord(toAdsAgain, NOW), violationRecord(toExport, NOW)] },
      { call: "getZone", args: ["banana"] },
      fixed(toAdsAgain),
      { call: "getZone", args: ["banana"] },
      fixed(toAds),
      { call: "getZone", args: ["banana"] },
    ]);
    const flows = (zone: unknown): unknown => (zone as { topOpenFlows: unknown }).topOpenFlows;
    expect(flows(three)).toEqual([
      { producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"], count: 3 },
      { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"], count: 1 },
    ]);
    expect(flows(two)).toEqual([
      { producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"], count: 1 },
      { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"], count: 1 },
    ]);
    expect(flows(one)).toEqual([{ producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"], count: 1 }]);
  }, STORE_TEST_MS);

  it("lists the zone's latest audit records newest first, keeping the last 200", async () => {
    const many = Array.from({ length: AUDIT_WINDOW_PER_ZONE + 5 }, (_, i) => trafficRecord("banana", i + 1, NOW + i));
    const [, first, , , window, rows, apple] = await run([
      { consume: [violationRecord(toAds, NOW - 1000), trafficRecord("banana", 12, NOW, "pdp-3f9a", "sha256:x@1"), trafficRecord("apple", 1, NOW)] },
      { call: "listAuditRecords", args: ["banana", 50] },
      { consume: many.slice(0, 100) },
      { consume: many.slice(100) },
      { call: "listAuditRecords", args: ["banana", AUDIT_WINDOW_PER_ZONE] },
      { sql: "SELECT count(*)::int AS n FROM zone_audit_recent WHERE zone = 'banana'" },
      { call: "listAuditRecords", args: ["apple", 10] },
    ]);
    expect(first).toEqual([
      expect.objectContaining({ kind: "zone_traffic", reporter: "pdp-3f9a", enforcementPoint: "decision_service", policyVersion: "sha256:x@1", summary: "pdp-3f9a evaluated 12 decisions for banana" }),
      expect.objectContaining({
        kind: "violation",
        at: at(NOW - 1000),
        producer: "svc:banana-app",
        sink: "kafka:ads",
        labels: ["banana"],
        enforced: false,
        summary: "svc:banana-app wrote banana to kafka:ads, breaking banana/boundary (logging, allowed)",
      }),
    ]);
    const entries = window as { summary: string }[];
    expect(entries).toHaveLength(AUDIT_WINDOW_PER_ZONE);
    expect(entries[0]?.summary).toBe(`test evaluated ${AUDIT_WINDOW_PER_ZONE + 5} decisions for banana`);
    expect(entries.at(-1)?.summary).toBe("test evaluated 6 decisions for banana");
    expect(rows).toEqual([{ n: AUDIT_WINDOW_PER_ZONE }]);
    expect((apple as { kind: string }[]).map((record) => record.kind)).toEqual(["zone_traffic"]);
  }, STORE_TEST_MS);

  it("lists the decision points from their traffic reports, each with whether it runs the policy version in force", async () => {
    // The seeded store's first control change is epoch 1.
    const current = `${bundleDigest()}@1`;
    const [listed, , points, , again] = await run([
      { call: "listDecisionPoints", args: [] },
      { consume: [trafficRecord("banana", 5, NOW - 5000, "pdp-old", "sha256:old@1"), trafficRecord("banana", 5, NOW - 2000, "pdp-new", current), trafficRecord("apple", 5, NOW - 1000, "pdp-new", current)] },
      { call: "listDecisionPoints", args: [] },
      // An older report, read late, changes nothing.
      { consume: [trafficRecord("banana", 5, NOW - 9000, "pdp-new", "sha256:old@1")] },
      { call: "listDecisionPoints", args: [] },
    ]);
    expect(listed).toEqual({ currentPolicyVersion: current, decisionPoints: [] });
    const expected = {
      currentPolicyVersion: current,
      decisionPoints: [
        { reporter: "pdp-new", enforcementPoint: "decision_service", policyVersion: current, upToDate: true, lastSeen: at(NOW - 1000), zones: ["apple", "banana"] },
        { reporter: "pdp-old", enforcementPoint: "decision_service", policyVersion: "sha256:old@1", upToDate: false, lastSeen: at(NOW - 5000), zones: ["banana"] },
      ],
    };
    expect(points).toEqual(expected);
    expect(again).toEqual(expected);
  }, STORE_TEST_MS);

  it("lists every zone with the numbers its own status gives: all zones' kept counts read in one statement", async () => {
    const apple: Flow = { zone: "apple", rule: "boundary", producer: "svc:apple-app", sink: "kafka:ads", labels: ["apple"] };
    const [, , zones, banana, appleZone] = await run([
      { consume: [violationRecord(toAds, NOW - 2 * DAY), violationRecord(other, NOW - 60_000), violationRecord(apple, NOW - 40_000), trafficRecord("apple", 7, NOW - 1000), trafficRecord("banana", 3, NOW - 90_000)] },
      fixed(toAds),
      { call: "listZones", args: [] },
      { call: "getZone", args: ["banana"] },
      { call: "getZone", args: ["apple"] },
    ]);
    const listed = zones as { name: string }[];
    expect(listed.map((zone) => zone.name)).toEqual(["banana", "apple"]);
    expect(banana).toMatchObject({ ...listed[0], openViolations: 1, lastViolationAt: at(NOW - 60_000) });
    expect(appleZone).toMatchObject({ ...listed[1], openViolations: 1, lastViolationAt: at(NOW - 40_000) });
    // Each zone's own quiet period: banana's 60 s leaves out its traffic of 90 s ago, apple's 30 s holds its 7 decisions.
    expect(banana).toMatchObject({ readiness: { decisionsInQuietPeriod: 0 } });
    expect(appleZone).toMatchObject({ readiness: { decisionsInQuietPeriod: 7 } });
  }, STORE_TEST_MS);

  it("pages violations by keyset, most recently seen first (ties by id), for one status and for all", async () => {
    const flows = Array.from({ length: 5 }, (_, i) => ({ flow: { ...toAds, producer: `svc:p${i}` }, lastSeen: NOW - (i < 3 ? 0 : i) * 1000 }));
    const listed = flows
      .map(({ flow, lastSeen }) => ({ producer: flow.producer, id: signatureId(flow), lastSeen: at(lastSeen) }))
      .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || a.id.localeCompare(b.id));
    const page = (status: string, after?: { lastSeen: string; id: string }): StoreStep => ({
      call: "listViolations",
      args: ["banana", { status, limit: 2, ...(after === undefined ? {} : { after: { lastSeen: { $date: after.lastSeen }, id: after.id } }) }],
    });
    const producers = (answer: unknown): string[] => (answer as { producer: string }[]).map((v) => v.producer);
    const [, , all, a1, a2, a3, o1, o2, o3] = await run([
      { consume: flows.map(({ flow, lastSeen }) => violationRecord(flow, lastSeen)) },
      fixed(flows[4]?.flow ?? toAds),
      { call: "listViolations", args: ["banana", { status: "all", limit: 10 }] },
      page("all"),
      page("all", listed[1]),
      page("all", listed[3]),
      page("open"),
      page("open", listed[1]),
      page("open", listed[3]),
    ]);
    const order = listed.map((v) => v.producer);
    expect(producers(all)).toEqual(order);
    expect(order.slice(3)).toEqual(["svc:p3", "svc:p4"]);
    expect([a1, a2, a3].map(producers)).toEqual([order.slice(0, 2), order.slice(2, 4), order.slice(4)]);
    expect([o1, o2, o3].map(producers)).toEqual([order.slice(0, 2), order.slice(2, 4), []]);
  }, STORE_TEST_MS);
});

/** The test bundle's digest, as the store computes it when seeded. */
function bundleDigest(): string {
  const parsed = parseBundle(Object.entries(BUNDLE).map(([path, content]) => ({ path, content })));
  if (!parsed.ok) throw new Error("the test bundle does not load");
  return parsed.bundle.digest;
}
