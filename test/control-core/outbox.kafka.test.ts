// Commit, then publish: a change and its control and audit records are stored in one transaction
// (the outbox) and published after the commit, idempotently, and a republish tombstones control
// keys the store does not know. On the shared PostgreSQL server and broker, each test with its
// own schema and topics.
import { encodeControlChange } from "@flowzone/control";

import { produce } from "../support/topics";
import { auditRecords, controlError, controlState, startHarness, type Harness } from "./control-harness";

const admin = { subject: "alice" };

/** Makes the database refuse, at COMMIT, any transaction that recorded a flip with this reason. */
const REFUSED_REASON = "refused at commit";

async function refuseFlipsAtCommit(h: Harness): Promise<void> {
  await h.db.query(
    `CREATE FUNCTION refuse_marked_flip() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF NEW.reason = '${REFUSED_REASON}' THEN RAISE EXCEPTION 'the test refuses this commit'; END IF;
       RETURN NULL;
     END $$`,
  );
  await h.db.query(
    `CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON zone_flips
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_marked_flip()`,
  );
}

function flipsOnAuditTopic(records: Awaited<ReturnType<typeof auditRecords>>): { zone: string; reason: string; id: string }[] {
  return records.flatMap((r) => (r.event.case === "zoneFlip" ? [{ zone: r.zone, reason: r.event.value.reason, id: r.id }] : []));
}

describe("the control plane's outbox", () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.stop();
  });

  it("publishes nothing of a change whose commit the database refuses, and the caller hears it was not made", async () => {
    await refuseFlipsAtCommit(h);
    const cp = h.running.controlPlane;

    const refused = await controlError(cp.flip("banana", { to: "off", reason: REFUSED_REASON, force: false }, admin));
    expect(refused.code).toBe("unavailable");
    expect(refused.message).toContain("nothing was changed");
    // A change after it goes through: once it is on both topics, everything before it would be too.
    await cp.flip("apple", { to: "off", reason: "accepted", force: false }, admin);

    const state = await controlState(h);
    expect(state.get("zone/apple")?.item).toEqual({ kind: "zone_mode", zone: "apple", mode: "off" });
    expect(state.has("zone/banana")).toBe(false);
    expect(flipsOnAuditTopic(await auditRecords(h)).map(({ zone, reason }) => ({ zone, reason }))).toEqual([{ zone: "apple", reason: "accepted" }]);
    expect((await cp.getZone("banana")).mode).toBe("logging");
    expect(await h.db.query("SELECT key FROM outbox WHERE published_at IS NULL")).toEqual([]);
  }, 60_000);

  it("sends a record again with the same key, bytes and record id when its publication was not recorded", async () => {
    await h.running.controlPlane.flip("banana", { to: "off", reason: "first", force: false }, admin);
    const [first] = flipsOnAuditTopic(await auditRecords(h));
    if (first === undefined) throw new Error("the flip is not on the audit topic");
    // As after a crash between Kafka's acknowledgement and the UPDATE that records it.
    const unmarked = await h.db.query<{ id: number }>(
      "UPDATE outbox SET published_at = NULL WHERE id IN (SELECT id FROM outbox WHERE target = 'audit' ORDER BY id DESC LIMIT 1) RETURNING id",
    );
    expect(unmarked).toHaveLength(1);

    await h.restart();

    const flips = flipsOnAuditTopic(await auditRecords(h));
    expect(flips).toEqual([first, first]);
    expect(await h.db.query("SELECT key FROM outbox WHERE published_at IS NULL")).toEqual([]);
  }, 60_000);

  it("tombstones on restart the control keys the store does not know, and keeps the ones it does", async () => {
    await h.running.controlPlane.flip("banana", { to: "off", reason: "known", force: false }, admin);
    const ghosts = [
      encodeControlChange({ item: { kind: "zone_mode", zone: "ghost", mode: "enforcement" }, epoch: 1 }),
      encodeControlChange({ item: { kind: "exception", id: "ghost-exception", zone: "banana", producer: "svc:*", sink: "*", expiresAtMs: Date.now() + 86_400_000 }, epoch: 1 }),
    ];
    await produce(h.kafka, h.controlTopic, ghosts);
    expect((await controlState(h)).get("zone/ghost")).not.toBeNull();

    await h.restart();

    const state = await controlState(h);
    expect(state.get("zone/ghost")).toBeNull();
    expect(state.get("exception/ghost-exception")).toBeNull();
    expect(state.get("zone/banana")?.item).toEqual({ kind: "zone_mode", zone: "banana", mode: "off" });
    expect(state.get("bundle")?.item.kind).toBe("bundle");
  }, 60_000);
});
