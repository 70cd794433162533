// Two `flowzone control` processes on one PostgreSQL database of their own (DATABASE_URL) and a
// broker of the test's own (the command uses the default topic names): one leads, /readyz and
// /metrics say which; SIGKILL the leader and the other leads within 30 s, publishes, counts the
// audit topic from where the dead leader stopped and expires an exception once; the killed
// replica, started again, follows.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { create, fromBinary } from "@bufbuild/protobuf";
import { openDatabase, type Database } from "@flowzone/control";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import { Kafka, logLevel } from "kafkajs";

import { bundleDir, violationRecord } from "../control-core/control-support";
import { TEST_DATABASE_URL } from "../support/database";
import { getJson, openViolations } from "../support/control-http";
import { collectingLogger } from "../support/logger";
import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { waitUntil } from "../support/poll";
import { controlListeningPorts, TestProcess } from "../support/processes";
import { step } from "../support/steps";
import { readToEnd } from "../support/topic-tail";
import { produce } from "../support/topics";

const TAKEOVER_MS = 30_000;

interface Control {
  readonly process: TestProcess;
  readonly base: string;
}


async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function leads(control: Control): Promise<boolean> {
  const { status, body } = await getJson(`${control.base}/readyz`);
  if (status !== 200) throw new Error(`/readyz answered ${status}`);
  return body["leader"] === true;
}

async function leaderGauge(control: Control, replica: string): Promise<string | undefined> {
  const text = await (await fetch(`${control.base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return text.split("\n").find((line) => line.startsWith(`flowzone_control_leader{replica="${replica}"}`))?.split(" ").at(-1);
}

async function auditRecords(kafka: Kafka): Promise<AuditRecord[]> {
  return (await readToEnd(kafka, "flowzone.audit.v1")).map((m) => (m.value === null ? create(AuditRecordSchema) : fromBinary(AuditRecordSchema, m.value)));
}


describe("flowzone control replicas, the leader killed", () => {
  let broker: OwnBroker | undefined;
  let admin: Database | undefined;
  let database: string | undefined;
  let dir: string | undefined;
  let policyDir: string | undefined;
  const processes: TestProcess[] = [];

  afterEach(async () => {
    for (const process of processes) await process.stop("SIGTERM").catch(() => undefined);
    if (database !== undefined) await admin?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin?.close();
    await broker?.dispose();
    for (const folder of [dir, policyDir]) if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  }, 90_000);

  it("fails over to the other replica, which publishes, counts from where the leader stopped and expires once", async () => {
    const { kafka, start } = await step("a broker, a database and a policy directory of the test's own", async () => {
      broker = await startOwnBroker();
      admin = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "unused", schema: `ha_admin_${randomBytes(4).toString("hex")}`, logger: collectingLogger().logger });
      database = `flowzone_ha_${randomBytes(6).toString("hex")}`;
      await admin.query(`CREATE DATABASE "${database}"`);
      dir = await mkdtemp(join(tmpdir(), "flowzone-ha-kill-"));
      policyDir = await bundleDir();
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${database}`;
      const env = { DATABASE_URL: url.toString(), FLOWZONE_KAFKA_BROKERS: broker.brokers, FLOWZONE_LOG_FORMAT: "json" };
      const home = dir;
      const policy = policyDir;
      return {
        kafka: new Kafka({ clientId: "ha-kill-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING }),
        start: async (replica: string): Promise<Control> => {
          const process = TestProcess.flowzone(`flowzone control ${replica}`, ["control", "--policy", policy, "--home", join(home, replica), "--http-port", "0", "--grpc-port", "0"], {
            env: { ...env, FLOWZONE_CONTROL_REPLICA_ID: replica },
          });
          processes.push(process);
          await process.waitFor("its listening line", (p) => controlListeningPorts(p.stdout) !== undefined, 90_000);
          const ports = controlListeningPorts(process.stdout);
          if (ports === undefined) throw new Error(`${replica} logged no ports`);
          return { process, base: `http://127.0.0.1:${ports.httpPort}` };
        },
      };
    }, { timeoutMs: 120_000 });

    const [a, b] = await step("replica-a starts and leads, replica-b starts and follows: /readyz and /metrics say so", async () => {
      const first = await start("replica-a");
      const second = await start("replica-b");
      expect([await leads(first), await leads(second)]).toEqual([true, false]);
      expect([await leaderGauge(first, "replica-a"), await leaderGauge(second, "replica-b")]).toEqual(["1", "0"]);
      return [first, second];
    }, { timeoutMs: 200_000 });

    const exceptionId = await step("a violation is counted; an exception expiring in 20 s is granted through the follower", async () => {
      await produce(kafka, "flowzone.audit.v1", [violationRecord({ zone: "banana", rule: "boundary", producer: "svc:banana-app", sink: "kafka:ads", labels: ["banana"] }, Date.now())]);
      await waitUntil("1 open violation, read through the follower", () => openViolations(b.base, "banana"), (open) => open === 1, { timeoutMs: 30_000 });
      const granted = await post(`${b.base}/v1/zones/banana/exceptions`, { producer: "svc:partner", sink: "kafka:partner-feed", justification: "contract 7", expiresAt: new Date(Date.now() + 20_000).toISOString() });
      expect(granted.status).toBe(201);
      return granted.body["id"] as string;
    }, { timeoutMs: 60_000 });

    await step(`SIGKILL the leader: replica-b leads within ${TAKEOVER_MS / 1000} s`, async () => {
      a.process.signal("SIGKILL");
      await a.process.exited;
      await waitUntil("replica-b to lead", () => leads(b), (leader) => leader, { timeoutMs: TAKEOVER_MS });
      expect(b.process.stdout).toContain("replica replica-b is the leader: starting its leader duties");
      expect(await leaderGauge(b, "replica-b")).toBe("1");
    }, { timeoutMs: TAKEOVER_MS + 10_000 });

    await step("the new leader publishes a flip, counts a new violation (not the old one again) and expires the exception once", async () => {
      expect((await post(`${b.base}/v1/zones/banana/flip`, { to: "off", reason: "after the failover" })).status).toBe(200);
      // The answer waits at most 5 s for the outbox; a drain lease the killed leader held lasts 60 s.
      const reasons = await waitUntil(
        "the flip on the audit topic",
        async () => (await auditRecords(kafka)).flatMap((r) => (r.event.case === "zoneFlip" ? [r.event.value.reason] : [])),
        (found) => found.length > 0,
        { timeoutMs: 75_000, intervalMs: 500 },
      );
      expect(reasons).toEqual(["after the failover"]);
      await produce(kafka, "flowzone.audit.v1", [violationRecord({ zone: "banana", rule: "boundary", producer: "svc:banana-app", sink: "kafka:ads-2", labels: ["banana"] }, Date.now())]);
      // After a crash Kafka gives the new leader's consumer the partitions once the dead member's session ends (30 s).
      await waitUntil("2 open violations", () => openViolations(b.base, "banana"), (open) => open === 2, { timeoutMs: 90_000 });
      await waitUntil(
        "the exception's expiry on the audit topic",
        async () => (await auditRecords(kafka)).filter((r) => r.event.case === "exceptionExpired"),
        (expired) => expired.length >= 1,
        { timeoutMs: 60_000 },
      );
    }, { timeoutMs: 260_000 });

    await step("replica-a, started again, follows; the expiry is on the audit topic once", async () => {
      const again = await start("replica-a");
      expect([await leads(again), await leads(b)]).toEqual([false, true]);
      const records = await auditRecords(kafka);
      expect(records.filter((r) => r.event.case === "exceptionExpired").map((r) => (r.event.case === "exceptionExpired" ? r.event.value.exceptionId : ""))).toEqual([exceptionId]);
      expect(await openViolations(again.base, "banana")).toBe(2);
    }, { timeoutMs: 120_000 });
  }, 600_000);
});
