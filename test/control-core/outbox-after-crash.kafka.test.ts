// A change committed while Kafka cannot take its records stands, and stays in the outbox; a
// control plane that ends before publishing it leaves it there, and the next one to start
// publishes it, once, at the change's own epoch. Kafka is a broker of the test's own, stopped
// and started by the test; the store is a schema of the shared PostgreSQL server.
import { decodeControlRecord } from "@flowzone/control";
import { Kafka, logLevel } from "kafkajs";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { step } from "../support/steps";
import { readToEnd } from "../support/topic-tail";
import { auditRecords, startHarness, type Harness } from "./control-harness";

describe("outbox records left unpublished", () => {
  let broker: OwnBroker | undefined;
  let h: Harness | undefined;

  afterEach(async () => {
    await broker?.start().catch(() => undefined);
    await h?.stop();
    await broker?.dispose();
  }, 120_000);

  it("are published by the next control plane to start, once, at the change's epoch", async () => {
    const harness = await step(
      "start a broker of the test's own and a control plane on it",
      async () => {
        broker = await startOwnBroker();
        h = await startHarness({ kafka: new Kafka({ clientId: "outbox-crash-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING }) });
        return h;
      },
      { timeoutMs: 120_000 },
    );

    const epoch = await step(
      "stop the broker; a forced flip still commits and answers, its records wait in the outbox",
      async () => {
        await broker?.stop();
        const flipped = await harness.running.controlPlane.flip("banana", { to: "enforcement", reason: "while Kafka is away", force: true }, { subject: "alice" });
        expect(flipped.mode).toBe("enforcement");
        const waiting = await harness.db.query<{ target: string; key: string }>("SELECT target, key FROM outbox WHERE published_at IS NULL ORDER BY id");
        expect(waiting).toEqual([
          { target: "control", key: "zone/banana" },
          { target: "audit", key: "banana" },
        ]);
        const [row] = await harness.db.query<{ epoch: number }>("SELECT epoch FROM zone_state WHERE zone = 'banana'");
        if (row === undefined) throw new Error("the flip was not stored");
        return row.epoch;
      },
      { timeoutMs: 60_000 },
    );

    await step(
      "the control plane ends before Kafka returns; the broker starts again",
      async () => {
        await harness.running.close();
        await broker?.start();
      },
      { timeoutMs: 120_000 },
    );

    await step(
      "a new control plane publishes the flip's records at their epoch, before its own republish, and the audit record once",
      async () => {
        await harness.restart();
        expect(await harness.db.query("SELECT key FROM outbox WHERE published_at IS NULL")).toEqual([]);
        const flips = (await auditRecords(harness)).filter((r) => r.event.case === "zoneFlip");
        expect(flips.map((r) => (r.event.case === "zoneFlip" ? [r.zone, r.event.value.reason, Number(r.event.value.epoch)] : []))).toEqual([
          ["banana", "while Kafka is away", epoch],
        ]);
        // The flip's own record, then the new control plane's republish of the same state at a higher epoch.
        const banana = (await readToEnd(harness.kafka, harness.controlTopic))
          .filter((m) => m.key?.toString() === "zone/banana")
          .map((m) => decodeControlRecord("zone/banana", m.value));
        expect(banana.map((change) => change.item)).toEqual([
          { kind: "zone_mode", zone: "banana", mode: "enforcement" },
          { kind: "zone_mode", zone: "banana", mode: "enforcement" },
        ]);
        expect(banana[0]?.epoch).toBe(epoch);
        expect(banana[1]?.epoch).toBeGreaterThan(epoch);
      },
      { timeoutMs: 120_000 },
    );
  }, 480_000);
});
