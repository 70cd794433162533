import { applyFlowBatch, listFlows, pruneFlows, type Database, type FlowBatch } from "@flowzone/control";

import { openTestDatabase } from "../support/database";
import { flowBatch, flowReport, reportedSignature, type ReportedFlow } from "./flow-reports";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-03-01T12:30:00Z");
const CHECKOUT: ReportedFlow = { producer: "svc:checkout", sink: "kafka:orders", labels: ["banana"], sources: ["kafka:carts"], purpose: "billing" };
const ADS: ReportedFlow = { producer: "svc:checkout", sink: "kafka:ads", labels: ["apple", "banana"] };
const OLD: ReportedFlow = { producer: "svc:legacy", sink: "kafka:orders", labels: ["apple"] };

/** A batch of partition 0 starting at `firstOffset`. */
const batch = (firstOffset: number, records: readonly { key: string; value: Buffer }[]): FlowBatch => flowBatch("flows-test", firstOffset, records);

describe("flow store", () => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeEach(async () => {
    ({ db, drop } = await openTestDatabase());
  });

  afterEach(async () => {
    await drop();
  });

  it("sums the reports of one flow from several reporters, orders by traffic, and filters by window, producer, sink and label", async () => {
    await applyFlowBatch(
      db,
      batch(0, [
        flowReport(CHECKOUT, 5, NOW - 1000, "pdp-a"),
        flowReport(CHECKOUT, 7, NOW - 2000, "pdp-b"),
        flowReport(ADS, 9, NOW - 3000, "pdp-a"),
        flowReport(OLD, 100, NOW - 10 * 24 * HOUR, "pdp-a"),
      ]),
      NOW,
    );
    await applyFlowBatch(db, batch(4, [flowReport(CHECKOUT, 3, NOW, "enforcer-1")]), NOW);

    const week = await listFlows(db, { sinceMs: NOW - 7 * 24 * HOUR });
    expect(week.map((flow) => [flow.sink, flow.count])).toEqual([
      ["kafka:orders", 15],
      ["kafka:ads", 9],
    ]);
    expect(week[0]).toEqual({
      signature: reportedSignature(CHECKOUT),
      producer: "svc:checkout",
      sink: "kafka:orders",
      labels: ["banana"],
      sources: ["kafka:carts"],
      purpose: "billing",
      count: 15,
      firstSeenMs: NOW - 2000 - 5000,
      lastSeenMs: NOW,
    });
    expect((await listFlows(db, { sinceMs: NOW - 30 * 24 * HOUR })).map((flow) => flow.count)).toEqual([100, 15, 9]);
    expect((await listFlows(db, { sinceMs: NOW - 30 * 24 * HOUR, producer: "svc:legacy" })).map((flow) => flow.producer)).toEqual(["svc:legacy"]);
    expect((await listFlows(db, { sinceMs: NOW - 7 * 24 * HOUR, sink: "kafka:ads" })).map((flow) => flow.sink)).toEqual(["kafka:ads"]);
    expect((await listFlows(db, { sinceMs: NOW - 30 * 24 * HOUR, label: "apple" })).map((flow) => flow.sink)).toEqual(["kafka:orders", "kafka:ads"]);
    expect(await listFlows(db, { sinceMs: NOW - 7 * 24 * HOUR, limit: 1 })).toHaveLength(1);
    // What could touch a zone: a protected label carried, or a source that carries one.
    const touching = (labels: string[], sources: string[]) => listFlows(db, { sinceMs: NOW - 30 * 24 * HOUR, touching: { labels, sources } });
    expect((await touching(["apple"], [])).map((flow) => flow.producer)).toEqual(["svc:legacy", "svc:checkout"]);
    expect((await touching([], ["kafka:carts"])).map((flow) => flow.sink)).toEqual(["kafka:orders"]);
    expect(await touching(["nothing"], [])).toEqual([]);
  });

  it("counts nothing twice when a batch is delivered again, and counts the records past the stored offset", async () => {
    const first = [flowReport(CHECKOUT, 5, NOW, "pdp-a"), flowReport(ADS, 2, NOW, "pdp-a")];
    expect(await applyFlowBatch(db, batch(0, first), NOW)).toEqual({ added: 2, reset: undefined, refused: [] });
    expect(await applyFlowBatch(db, batch(0, [...first, flowReport(CHECKOUT, 4, NOW, "pdp-b")]), NOW)).toEqual({ added: 1, reset: undefined, refused: [] });
    expect((await listFlows(db, { sinceMs: NOW - HOUR })).map((flow) => flow.count)).toEqual([9, 2]);
  });

  it("ages out flows unseen since the cut-off and count buckets older than it, keeping the rest", async () => {
    await applyFlowBatch(
      db,
      batch(0, [flowReport(OLD, 50, NOW - 40 * 24 * HOUR), flowReport(CHECKOUT, 6, NOW - 40 * 24 * HOUR), flowReport(CHECKOUT, 1, NOW)]),
      NOW,
    );
    expect(await pruneFlows(db, NOW - 30 * 24 * HOUR)).toBe(1);
    const left = await listFlows(db, { sinceMs: NOW - 60 * 24 * HOUR });
    expect(left.map((flow) => [flow.producer, flow.count])).toEqual([["svc:checkout", 1]]);
    expect(await db.query("SELECT count(*)::int AS n FROM flow_counts")).toEqual([{ n: 1 }]);
  });
});
