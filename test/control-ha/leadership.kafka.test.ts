// Two control-plane replicas on one PostgreSQL store (a schema of their own) and the shared
// broker: exactly one leads (a PostgreSQL advisory lock), both serve reads and writes, and what
// must happen once (counting the audit topic, publishing the outbox, expiring exceptions,
// autoEnforce) happens once across a leader whose lock session dies and a leader that stops.
import { create, fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema, Mode, type AuditRecord } from "@flowzone/proto";

import { trafficRecord, violationRecord, type Flow } from "../control-core/control-support";
import { waitFor, waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { readToEnd } from "../support/topic-tail";
import { produce, recordCount } from "../support/topics";
import { leaderLockHolder, replicaSet, type Replica, type ReplicaSet } from "./replicas";

const admin = { subject: "alice" };
const toAds: Flow = { zone: "banana", rule: "boundary", producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"] };
/** How long a follower may take to lead once the leader is gone. */
const TAKEOVER_MS = 30_000;

describe("control plane replicas on one store", () => {
  let set: ReplicaSet | undefined;

  afterEach(async () => {
    await set?.dispose();
  }, 60_000);

  it("lead one at a time, serve the API on both, and do what must happen once once across failovers", async () => {
    const s = (set = await replicaSet());
    const [a, b] = await step("replica-a starts and leads; replica-b starts and follows", async () => {
      const first = await s.start("replica-a");
      const second = await s.start("replica-b");
      expect([first.running.isLeader(), second.running.isLeader()]).toEqual([true, false]);
      expect(messages(first)).toContain("replica replica-a is the leader: starting its leader duties");
      expect(messages(second)).toContain("replica replica-b follows: another replica leads this store");
      return [first, second];
    }, { timeoutMs: 60_000 });

    await step("both answer the API from the store", async () => {
      for (const replica of [a, b]) expect((await replica.running.controlPlane.listZones()).map((zone) => zone.name)).toEqual(["banana", "apple"]);
    });

    await step("a violation on the audit topic is counted once, by the leader's consumer", async () => {
      await produce(s.kafka, s.auditTopic, [violationRecord(toAds, s.clock.now())]);
      await countedToEnd(s);
      expect(await adsCount(b)).toBe(1);
    });

    const exceptionId = await step("an exception granted through the follower is published by the leader", async () => {
      const granted = await b.running.controlPlane.grantException(
        "banana",
        { producer: "svc:partner", sink: "kafka:partner-feed", justification: "contract 7", expiresAt: new Date(s.clock.now() + 60_000) },
        admin,
      );
      // The answer waited for the leader's publisher (up to 5 s, where it takes about a second).
      expect(await s.admin.query("SELECT id FROM outbox WHERE published_at IS NULL")).toEqual([]);
      expect((await controlKeys(s)).get(`exception/${granted.id}`)).toBe("record");
      return granted.id;
    });

    const [leader, follower] = await step("the leader's lock session dies: it stops leading at once, and one replica leads", async () => {
      const holder = await leaderLockHolder(s);
      if (holder === undefined) throw new Error("nobody holds the leader lock");
      await s.admin.query("SELECT pg_terminate_backend($1)", [holder]);
      await waitFor("replica-a to say it lost the leadership", () => messages(a).some((text) => text.startsWith("replica replica-a lost the leadership")), { timeoutMs: 10_000 });
      const now = await waitUntil("exactly one leader again", () => [a, b].filter((replica) => replica.running.isLeader()), (leaders) => leaders.length === 1, { timeoutMs: TAKEOVER_MS });
      const next = now[0] as Replica;
      expect(await leaderLockHolder(s)).not.toBe(holder);
      return [next, next === a ? b : a];
    }, { timeoutMs: TAKEOVER_MS + 15_000 });

    await step("with both replicas alive, the exception expires once", async () => {
      s.clock.advance(61_000);
      await waitUntil("the exception ended in the store", () => endedExceptions(s), (ended) => ended === 1, { timeoutMs: 10_000 });
      await countedToEnd(s);
    });

    await step(`the leader stops; the follower leads within ${TAKEOVER_MS / 1000} s`, async () => {
      await leader.close();
      await waitFor(`${follower.id} to lead`, () => follower.running.isLeader(), { timeoutMs: TAKEOVER_MS });
      expect(messages(follower)).toContain(`replica ${follower.id} is the leader: starting its leader duties`);
    }, { timeoutMs: TAKEOVER_MS + 15_000 });

    await step("the new leader's consumer counts a new violation and none twice", async () => {
      await produce(s.kafka, s.auditTopic, [violationRecord(toAds, s.clock.now())]);
      await countedToEnd(s, 60_000);
      expect(await adsCount(follower)).toBe(2);
    }, { timeoutMs: 75_000 });

    await step("autoEnforce flips apple once, under the new leader", async () => {
      await produce(s.kafka, s.auditTopic, [trafficRecord("apple", 10, s.clock.now())]);
      await waitUntil("apple in enforcement", async () => (await follower.running.controlPlane.getZone("apple")).mode, (mode) => mode === "enforcement", { timeoutMs: 20_000 });
      await countedToEnd(s);
    });

    await step("the audit topic holds one expiry and one flip, and the control topic tombstones the exception", async () => {
      const records = await auditRecords(s);
      expect(records.filter((r) => r.event.case === "exceptionExpired").map((r) => (r.event.case === "exceptionExpired" ? r.event.value.exceptionId : ""))).toEqual([exceptionId]);
      expect(records.filter((r) => r.event.case === "zoneFlip").map((r) => (r.event.case === "zoneFlip" ? [r.zone, r.event.value.to, r.event.value.automatic] : []))).toEqual([["apple", Mode.ENFORCEMENT, true]]);
      expect((await follower.running.controlPlane.getZone("apple")).history).toHaveLength(1);
      expect((await controlKeys(s)).get(`exception/${exceptionId}`)).toBe("tombstone");
    });
  }, 300_000);
});

function messages(replica: Replica): string[] {
  return replica.lines.map((line) => String(line.msg));
}

async function adsCount(replica: Replica): Promise<number> {
  const open = await replica.running.controlPlane.listViolations("banana", { status: "open", limit: 10 });
  return open.find((violation) => violation.producer === toAds.producer && violation.sink === toAds.sink)?.count ?? 0;
}

async function endedExceptions(s: ReplicaSet): Promise<number> {
  return (await s.admin.query("SELECT id FROM zone_exceptions WHERE expired")).length;
}

/** Waits until the outbox is published and the backlog's stored offset reaches the audit topic's end as it is then. */
async function countedToEnd(s: ReplicaSet, timeoutMs = 20_000): Promise<void> {
  await waitFor("the outbox published", async () => (await s.admin.query("SELECT id FROM outbox WHERE published_at IS NULL")).length === 0, { timeoutMs });
  const end = await recordCount(s.kafka, s.auditTopic);
  await waitUntil(
    `the backlog's stored offset at ${end}`,
    async () => (await s.admin.query<{ next: number }>("SELECT coalesce(sum(next_offset), 0) AS next FROM consumed_offsets WHERE topic = $1", [s.auditTopic]))[0]?.next ?? 0,
    (next) => next >= end,
    { timeoutMs },
  );
}

async function auditRecords(s: ReplicaSet): Promise<AuditRecord[]> {
  return (await readToEnd(s.kafka, s.auditTopic)).map((m) => (m.value === null ? create(AuditRecordSchema) : fromBinary(AuditRecordSchema, m.value)));
}

/** The control topic's keys, the latest record of each: "record" or "tombstone". */
async function controlKeys(s: ReplicaSet): Promise<Map<string, "record" | "tombstone">> {
  const keys = new Map<string, "record" | "tombstone">();
  for (const message of await readToEnd(s.kafka, s.controlTopic)) keys.set(message.key?.toString("utf8") ?? "", message.value === null ? "tombstone" : "record");
  return keys;
}
