// A zone holds a bounded number of open violation signatures: violations of new signatures beyond
// it are counted (zone status, metric), not stored, and keep the zone from being drained, since
// the backlog cannot list their flows. On the shared PostgreSQL server and broker.
import { signatureId } from "@flowzone/control";
import { createTelemetry, METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";

import { waitUntil } from "../support/poll";
import { produce } from "../support/topics";
import { startHarness, type Harness } from "./control-harness";
import { counterValue, trafficRecord, violationRecord, type Flow } from "./control-support";

const LIMIT = 2;
const flow = (n: number): Flow => ({ zone: "banana", rule: "boundary", producer: `svc:attacker-${n}`, sink: `kafka:sink-${n}`, labels: ["banana"] });

describe("the bound on a zone's open violation signatures", () => {
  let h: Harness;
  let telemetry: Telemetry;

  beforeEach(async () => {
    telemetry = createTelemetry({ serviceName: "signature-limit-test" });
    h = await startHarness({ maxOpenSignaturesPerZone: LIMIT, telemetry });
  });

  afterEach(async () => {
    await h.stop();
  });

  it("stores no signature beyond the bound, counts the violations it could not store, and reports the zone not drained", async () => {
    const cp = h.running.controlPlane;
    const atMs = h.clock.now();
    // Two signatures fill the zone; three new ones (four violations) find no room; a known one still counts.
    await produce(h.kafka, h.auditTopic, [flow(1), flow(2), flow(3), flow(4), flow(4), flow(5), flow(1)].map((f) => violationRecord(f, atMs)));
    await produce(h.kafka, h.auditTopic, [trafficRecord("banana", 10, atMs)]);

    const zone = await waitUntil("the batch counted", () => cp.getZone("banana"), (z) => z.violationsNotStored === 4);
    expect(zone.openViolations).toBe(LIMIT);
    expect(zone.drained).toBe(false);
    expect(zone.readiness.blockers).toContain(
      "4 violations were not stored (new signatures beyond the zone's limit of open signatures), the last 0s ago: the zone has flows the backlog cannot list",
    );
    const stored = await cp.listViolations("banana", { status: "all", limit: 100 });
    expect(stored.map((v) => [v.producer, v.count]).sort()).toEqual([
      ["svc:attacker-1", 2],
      ["svc:attacker-2", 1],
    ]);
    expect(await h.db.query("SELECT id FROM violation_signatures WHERE zone = 'banana'")).toHaveLength(LIMIT);
    expect(await counterValue(telemetry, METRIC_NAMES.backlogNotStored, { zone: "banana" })).toBe(4);
    expect((await cp.getZone("apple")).violationsNotStored).toBe(0);
  }, 60_000);

  it("stores a new signature again once one is resolved, and stops blocking a quiet period after the last violation it could not store", async () => {
    const cp = h.running.controlPlane;
    await produce(h.kafka, h.auditTopic, [flow(1), flow(2), flow(3)].map((f) => violationRecord(f, h.clock.now())));
    await waitUntil("the overflow counted", () => cp.getZone("banana"), (z) => z.violationsNotStored === 1);

    await cp.markFixed(signatureId(flow(1)), "producer fixed", { subject: "alice" });
    h.clock.advance(1_000);
    await produce(h.kafka, h.auditTopic, [violationRecord(flow(3), h.clock.now())]);
    await waitUntil("flow 3 stored once there is room", () => cp.getZone("banana"), (z) => z.openViolations === 2);
    expect((await cp.getZone("banana")).violationsNotStored).toBe(1);

    await cp.markFixed(signatureId(flow(2)), "fixed", { subject: "alice" });
    await cp.markFixed(signatureId(flow(3)), "fixed", { subject: "alice" });
    h.clock.advance(61_000);
    await produce(h.kafka, h.auditTopic, [trafficRecord("banana", 5, h.clock.now())]);
    const drained = await waitUntil("the traffic counted", () => cp.getZone("banana"), (z) => z.readiness.decisionsInQuietPeriod === 5);
    expect(drained.readiness.blockers).toEqual([]);
    expect(drained.drained).toBe(true);
    expect(drained.violationsNotStored).toBe(1);
  }, 60_000);
});
