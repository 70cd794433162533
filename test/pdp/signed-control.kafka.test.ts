/**
 * Signed control records end to end (issue 10, item 3), on the real broker and PostgreSQL: a real
 * control plane signs what it publishes, a real decision service given two verify keys follows
 * the control topic. Records forged with kafkajs straight onto the topic (unsigned, signed by a
 * key the service does not know, an unsigned tombstone, a tombstone under a real record's
 * signature) change no decision; each is an error line naming its key, offset and reason, is
 * counted in flowzone_control_records_rejected_total, and shows in /readyz, which stays 200. Then
 * the control plane restarts with the second key (a rotation) and its records apply as well.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { create, toBinary } from "@bufbuild/protobuf";
import { startControlPlane, type Database, type RunningControlPlane } from "@flowzone/control";
import { CONTROL_SIGNATURE_HEADERS, controlKeyId, readControlSigningKey, readControlVerifyKeys, signControlRecord, type ControlSigningKey } from "@flowzone/kafka";
import { DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import { ControlRecordSchema, Decision, Mode } from "@flowzone/proto";

import { openTestDatabase } from "../support/database";
import { testBrokers, testKafka, uniqueTopic } from "../support/kafka";
import { collectingLogger, type LogLine } from "../support/logger";
import { waitFor, waitUntil } from "../support/poll";
import { step } from "../support/steps";
import { readToEnd } from "../support/topic-tail";
import { endOffsets, produce } from "../support/topics";
import { DecisionClient, makeBundleDir, type CheckInit } from "./pdp-harness";

/** email is logging in the bundle: this write is allowed with a logged violation, denied once email enforces. */
const EMAIL: CheckInit = { producer: "svc:crm", sink: "svc:ads-ranker", sources: ["table:crm.contacts"] };
/** banana is enforcing in the bundle: denied, allowed once banana only logs. */
const BANANA: CheckInit = { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };

const kafka = testKafka("signed-control-test");
const admin = { subject: "privacy-lead" };

function pemPair(): { privatePem: string; publicPem: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

function zoneMode(zone: string, mode: Mode, epoch: bigint): Buffer {
  return Buffer.from(toBinary(ControlRecordSchema, create(ControlRecordSchema, { epoch, item: { case: "zoneMode", value: { zone, mode } } })));
}

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, text: await response.text() };
}

describe("signed control records", () => {
  let dir: string;
  let policyDir: string;
  let current: ControlSigningKey;
  let next: ControlSigningKey;
  let stranger: ControlSigningKey;
  let dropDatabase: () => Promise<void>;
  let control: RunningControlPlane | undefined;
  let pdp: RunningDecisionService;
  let client: DecisionClient;
  let pdpLines: LogLine[];
  const controlTopic = uniqueTopic("signed-control");
  const auditTopic = uniqueTopic("signed-control-audit");

  let database: Database;
  const startControl = (signingKey: ControlSigningKey, database: Database): Promise<RunningControlPlane> =>
    startControlPlane({
      database,
      kafka,
      policyDir,
      logger: collectingLogger().logger,
      tickMs: 3_600_000,
      auditTopic,
      controlTopic,
      groupId: uniqueTopic("signed-control-group"),
      auditPartitions: 1,
      signingKey,
    });

  /** Checks until the decision is `wanted`; a failing call fails at once. */
  const decidedAs = async (write: CheckInit, wanted: Decision, what: string): Promise<void> => {
    const response = await waitUntil(
      what,
      () => client.check(write).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      (r) => r instanceof Error || r.decision === wanted,
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    if (response instanceof Error) throw response;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowzone-signed-control-"));
    policyDir = await makeBundleDir();
    // The keys as files, read by the same readers as FLOWZONE_CONTROL_SIGNING_KEY and FLOWZONE_CONTROL_VERIFY_KEYS.
    const [a, b, c] = [pemPair(), pemPair(), pemPair()];
    await writeFile(join(dir, "current.key"), a.privatePem);
    await writeFile(join(dir, "next.key"), b.privatePem);
    await writeFile(join(dir, "current.pem"), a.publicPem);
    await writeFile(join(dir, "next.pem"), b.publicPem);
    current = readControlSigningKey(join(dir, "current.key"));
    next = readControlSigningKey(join(dir, "next.key"));
    stranger = { keyId: controlKeyId(c.privateKey), privateKey: c.privateKey };
    const verifyKeys = readControlVerifyKeys(`${join(dir, "current.pem")},${join(dir, "next.pem")}`);

    const { db, drop } = await openTestDatabase();
    database = db;
    dropDatabase = drop;
    control = await startControl(current, db);
    const captured = collectingLogger("debug");
    pdpLines = captured.lines;
    pdp = await startDecisionService({
      policyDir,
      host: "127.0.0.1",
      port: 0,
      metricsPort: 0,
      reloadIntervalMs: 60_000,
      limits: DEFAULTS.limits,
      logger: captured.logger,
      brokers: testBrokers(),
      auditTopic,
      controlTopic,
      auditSpoolDir: join(dir, "spool"),
      controlVerifyKeys: verifyKeys,
    });
    client = new DecisionClient(`127.0.0.1:${pdp.port}`);
    await waitFor("the decision service has read the control topic", () => pdp.health().status === "ready", { timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    client.close();
    await pdp.close(1000);
    await control?.close();
    await dropDatabase();
    await rm(dir, { recursive: true, force: true });
    await rm(policyDir, { recursive: true, force: true });
  });

  it("applies only validly signed records, reports forged ones, and follows a rotated key", async () => {
    await step("a flip signed by the control plane applies: email enforces", async () => {
      expect((await client.check(EMAIL)).decision).toBe(Decision.ALLOW);
      await control?.controlPlane.flip("email", { to: "enforcement", reason: "signed flip", force: true }, admin);
      await decidedAs(EMAIL, Decision.DENY, "email denied under the signed flip");
    });

    const forgedOffsets = await step("records forged on the topic with kafkajs", async () => {
      const topic = await readToEnd(kafka, controlTopic);
      const realFlip = topic.filter((m) => m.key?.toString() === "zone/email").at(-1);
      expect(realFlip?.headers?.[CONTROL_SIGNATURE_HEADERS.keyId]?.toString()).toBe(current.keyId);
      const stolen = { [CONTROL_SIGNATURE_HEADERS.signature]: realFlip?.headers?.[CONTROL_SIGNATURE_HEADERS.signature]?.toString() ?? "", [CONTROL_SIGNATURE_HEADERS.keyId]: current.keyId };
      const first = (await endOffsets(kafka, controlTopic)).get(0) ?? 0;
      const logging = zoneMode("email", Mode.LOGGING, 1_000n);
      await produce(kafka, controlTopic, [
        { key: "zone/email", value: logging },
        { key: "zone/email", value: logging, headers: signControlRecord(stranger, { topic: controlTopic, key: Buffer.from("zone/email"), value: logging }) },
        { key: "zone/email", value: null },
        { key: "zone/email", value: null, headers: stolen },
      ]);
      return { unsigned: String(first), unknownKey: String(first + 1), unsignedTombstone: String(first + 2), stolenTombstone: String(first + 3) };
    });

    await step("after them a signed flip of banana applies, and email still enforces: the forged records changed nothing", async () => {
      await control?.controlPlane.flip("banana", { to: "logging", reason: "signed flip after the forgeries", force: true }, admin);
      await decidedAs(BANANA, Decision.ALLOW, "banana allowed under the signed flip");
      expect((await client.check(EMAIL)).decision).toBe(Decision.DENY);
    });

    await step("each forged record is an error line naming its key, offset, reason and key id", () => {
      const rejected = pdpLines.filter((line) => line["level"] === 50 && String(line["msg"]).startsWith("control record rejected"));
      expect(rejected.map((line) => [line["key"], line["offset"], line["reason"], line["keyId"]])).toEqual([
        ["zone/email", forgedOffsets.unsigned, "unsigned", undefined],
        ["zone/email", forgedOffsets.unknownKey, "unknown_key", stranger.keyId],
        ["zone/email", forgedOffsets.unsignedTombstone, "unsigned", undefined],
        ["zone/email", forgedOffsets.stolenTombstone, "bad_signature", current.keyId],
      ]);
      return Promise.resolve();
    });

    await step("the metric counts them by reason", async () => {
      const metricsPort = pdp.metricsPort ?? 0;
      const { text } = await get(metricsPort, "/metrics");
      expect(text).toContain('flowzone_control_records_rejected_total{source="decision_service",reason="unsigned"} 2');
      expect(text).toContain('flowzone_control_records_rejected_total{source="decision_service",reason="unknown_key"} 1');
      expect(text).toContain('flowzone_control_records_rejected_total{source="decision_service",reason="bad_signature"} 1');
    });

    await step("/readyz stays 200 and reports them, with the latest", async () => {
      const { status, text } = await get(pdp.metricsPort ?? 0, "/readyz");
      expect(status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({
        status: "ready",
        controlTopic: {
          state: "read",
          signatures: {
            verified: true,
            rejectedRecords: 4,
            rejectedByReason: { unsigned: 2, unknown_key: 1, bad_signature: 1 },
            lastRejected: { key: "zone/email", offset: forgedOffsets.stolenTombstone, reason: "bad_signature", keyId: current.keyId },
          },
        },
      });
    });

    await step("the control plane restarts signing with the next key: its records apply too", async () => {
      await control?.close();
      control = await startControl(next, database);
      await control.controlPlane.flip("banana", { to: "enforcement", reason: "signed with the next key", force: true }, admin);
      await decidedAs(BANANA, Decision.DENY, "banana denied under the flip signed by the next key");
      const last = (await readToEnd(kafka, controlTopic)).at(-1);
      expect(last?.headers?.[CONTROL_SIGNATURE_HEADERS.keyId]?.toString()).toBe(next.keyId);
      expect((await client.check(EMAIL)).decision).toBe(Decision.DENY);
      expect(pdp.health().controlTopic).toMatchObject({ signatures: { rejectedRecords: 4 } });
    });
  }, 120_000);
});
