// A record Kafka always refuses must not wedge the outbox. The control topic here takes at most
// 16 KiB per batch: a change whose control record is larger is refused before it commits, and a
// record Kafka refuses anyway (here one written into the outbox by hand, as a state republished
// after the topic's limit was lowered would be) is set aside, logged and counted, while the
// records behind it reach the topic. Before, such a push committed and then stayed first in the
// outbox forever, every later change waiting behind it.
import { createTelemetry, METRIC_NAMES, type Telemetry } from "@flowzone/telemetry";

import { step } from "../support/steps";
import { BUNDLE, counterValue } from "./control-support";
import { controlError, controlState, startHarness, type Harness } from "./control-harness";

const admin = { subject: "alice" };
const LIMIT_BYTES = 16_384;

/** The bundle with a comment that makes its control record about twice the topic's limit. */
const OVERSIZED_BUNDLE = { ...BUNDLE, "zones.yaml": `${BUNDLE["zones.yaml"] ?? ""}# ${"x".repeat(2 * LIMIT_BYTES)}\n` };

describe("the outbox with a control topic of a small max.message.bytes", () => {
  let h: Harness;
  let telemetry: Telemetry;

  beforeEach(async () => {
    telemetry = createTelemetry({ serviceName: "test" });
    h = await startHarness({ controlTopicMaxMessageBytes: LIMIT_BYTES, telemetry });
  });

  afterEach(async () => {
    await h.stop();
  });

  it("refuses before commit a push whose control record the topic would refuse, naming its size and the limit", async () => {
    const cp = h.running.controlPlane;
    const bundleBefore = (await controlState(h)).get("bundle");
    const rowsBefore = await h.db.query("SELECT id FROM outbox");

    await step("the oversized push is refused as payload_too_large", async () => {
      const refused = await controlError(cp.pushPolicy(OVERSIZED_BUNDLE, admin));
      expect(refused.code).toBe("payload_too_large");
      expect(refused.message).toMatch(/the control record "bundle" of this change is \d+ bytes, more than the control topic accepts \(max\.message\.bytes 16384\); nothing was changed/);
      expect(Number(/is (\d+) bytes/.exec(refused.message)?.[1])).toBeGreaterThan(2 * LIMIT_BYTES);
    });

    await step("nothing of it was stored, and a later change flows", async () => {
      expect(await h.db.query("SELECT id FROM outbox")).toEqual(rowsBefore);
      await cp.flip("banana", { to: "off", reason: "after the refused push", force: false }, admin);
      const state = await controlState(h);
      expect(state.get("zone/banana")?.item).toEqual({ kind: "zone_mode", zone: "banana", mode: "off" });
      expect(state.get("bundle")).toEqual(bundleBefore);
      expect(await h.db.query("SELECT key FROM outbox WHERE published_at IS NULL")).toEqual([]);
    });
  }, 60_000);

  it("sets aside an outbox record Kafka refuses, logs and counts it, and publishes the records behind it", async () => {
    const [oversized] = await h.db.query<{ id: string }>(
      "INSERT INTO outbox (target, key, value, created_at) VALUES ('control', 'zone/oversized', $1, now()) RETURNING id",
      [Buffer.alloc(2 * LIMIT_BYTES, 1)],
    );
    if (oversized === undefined) throw new Error("the oversized row was not inserted");

    // Committed after the oversized row: published in the same drain, in the same run of control records.
    await h.running.controlPlane.flip("banana", { to: "off", reason: "behind the oversized record", force: false }, admin);

    const state = await controlState(h);
    expect(state.get("zone/banana")?.item).toEqual({ kind: "zone_mode", zone: "banana", mode: "off" });
    expect(state.has("zone/oversized")).toBe(false);
    const [row] = await h.db.query<{ published_at: unknown; set_aside_at: unknown; set_aside_reason: string | null }>(
      "SELECT published_at, set_aside_at, set_aside_reason FROM outbox WHERE id = $1",
      [oversized.id],
    );
    expect(row?.published_at).toBeNull();
    expect(row?.set_aside_at).not.toBeNull();
    expect(row?.set_aside_reason).toMatch(/too large|larger/i);
    expect(await h.db.query("SELECT key FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL")).toEqual([]);
    const logged = h.lines.filter((line) => line["level"] === 50 && typeof line["msg"] === "string" && line["msg"].startsWith("outbox record set aside"));
    expect(logged.map((line) => ({ id: Number(line["id"]), key: line["key"], target: line["target"] }))).toEqual([{ id: Number(oversized.id), key: "zone/oversized", target: "control" }]);
    expect(await counterValue(telemetry, METRIC_NAMES.outboxSetAside)).toBe(1);
  }, 60_000);
});
