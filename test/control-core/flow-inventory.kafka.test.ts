// The flow inventory on the real broker and PostgreSQL: FlowReports produced to the control
// plane's flows topic are counted into PostgreSQL exactly once, whatever the consumer's restarts,
// bad records are skipped with a log line and a metric, and flows age out on the ticks.
import type { FlowList } from "@flowzone/control";
import { createTelemetry, METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";

import { waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { produce } from "../support/topics";
import { startHarness, type Harness } from "./control-harness";
import { counterValue } from "./control-support";
import { flowReport, reportedSignature, type ReportedFlow } from "./flow-reports";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const CHECKOUT: ReportedFlow = { producer: "svc:checkout", sink: "kafka:orders", labels: ["banana"], purpose: "billing" };
const ADS: ReportedFlow = { producer: "svc:banana-ranker", sink: "kafka:ads", labels: ["apple"] };
const OLD: ReportedFlow = { producer: "svc:legacy", sink: "kafka:orders", labels: ["banana"] };

/** `sink count` per flow of the window, most traffic first. */
function counts(list: FlowList): string[] {
  return list.flows.map((flow) => `${flow.sink} ${flow.count}`);
}

describe("flow inventory", () => {
  let h: Harness;
  let telemetry: Telemetry;

  beforeEach(async () => {
    telemetry = createTelemetry({ serviceName: "flow-inventory-test" });
    h = await startHarness({ telemetry });
  });

  afterEach(async () => {
    await h.stop();
  });

  const list = (windowMs = WEEK): Promise<FlowList> => h.running.controlPlane.listFlows({ windowMs, limit: 100 });
  const awaitCounts = (what: string, expected: string[], windowMs = WEEK): Promise<FlowList> =>
    waitUntil(what, () => list(windowMs), (flows) => JSON.stringify(counts(flows)) === JSON.stringify(expected), { timeoutMs: 20_000 });

  it("sums one flow's reports from several reporters, filters by window, and counts nothing twice across a restart", async () => {
    const now = h.clock.now();
    await step("reports from three reporters and an old flow are counted", async () => {
      await produce(h.kafka, h.flowsTopic, [
        flowReport(CHECKOUT, 5, now - 1000, "pdp-a"),
        flowReport(CHECKOUT, 7, now - 2000, "pdp-b"),
        flowReport(ADS, 3, now - 3000, "enforcer-1"),
        flowReport(CHECKOUT, 2, now - 500, "sdk-1"),
        flowReport(OLD, 100, now - 10 * DAY, "pdp-a"),
      ]);
      const week = await awaitCounts("the week's flows", ["kafka:orders 14", "kafka:ads 3"]);
      expect(week.flows[0]).toMatchObject({ signature: reportedSignature(CHECKOUT), producer: "svc:checkout", labels: ["banana"], sources: [], purpose: "billing", zones: ["banana"] });
      expect(week.window.until.getTime() - week.window.since.getTime()).toBe(WEEK);
      expect(counts(await list(30 * DAY))).toEqual(["kafka:orders 100", "kafka:orders 14", "kafka:ads 3"]);
    }, { timeoutMs: 40_000 });

    await step("after a restart, only the new report adds", async () => {
      await h.restart();
      await produce(h.kafka, h.flowsTopic, [flowReport(ADS, 20, now, "enforcer-1")]);
      await awaitCounts("the new report counted once", ["kafka:ads 23", "kafka:orders 14"]);
      const totals = await h.db.query<{ count: number }>("SELECT sum(count)::bigint AS count FROM flows");
      expect(totals).toEqual([{ count: 137 }]);
    }, { timeoutMs: 60_000 });
  }, 120_000);

  it("skips a record that is not a FlowReport or contradicts itself, logging and counting it, and keeps counting", async () => {
    const now = h.clock.now();
    const bad = flowReport(ADS, 1, now);
    await produce(h.kafka, h.flowsTopic, [
      { key: "not-a-signature", value: Buffer.from([0xff, 0xff, 0xff, 0xff]), partition: 0 },
      { key: "f".repeat(64), value: bad.value, partition: 0 },
      { ...flowReport(CHECKOUT, 4, now), partition: 0 },
    ]);
    await awaitCounts("the good report after two bad ones", ["kafka:orders 4"]);
    const skipped = h.lines.filter((line) => line["component"] === "flow-consumer" && String(line["msg"]).includes("skipped"));
    expect(skipped.map((line) => ({ topic: line["topic"], partition: line["partition"], offset: line["offset"] }))).toEqual([
      { topic: h.flowsTopic, partition: 0, offset: "0" },
      { topic: h.flowsTopic, partition: 0, offset: "1" },
    ]);
    expect(String(skipped[1]?.["reason"])).toMatch(/record key "f{64}" is not the report's signature/);
    expect(await counterValue(telemetry, METRIC_NAMES.flowReportsSkipped, { topic: h.flowsTopic })).toBe(2);
  }, 60_000);

  it("ages out a flow unseen for the retention (30 days) on the ticks, with its counts, and keeps the rest", async () => {
    const now = h.clock.now();
    await produce(h.kafka, h.flowsTopic, [flowReport(OLD, 9, now - 29 * DAY), flowReport(CHECKOUT, 1, now)]);
    await awaitCounts("both flows", ["kafka:orders 9", "kafka:orders 1"], 60 * DAY);
    h.clock.advance(2 * DAY);
    await h.running.tick();
    expect((await list(60 * DAY)).flows.map((flow) => flow.producer)).toEqual(["svc:checkout"]);
    expect(await h.db.query("SELECT count(*)::int AS n FROM flow_counts")).toEqual([{ n: 1 }]);
  }, 60_000);
});
