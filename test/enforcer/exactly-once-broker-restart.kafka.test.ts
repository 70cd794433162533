/**
 * Exactly once across a broker restart: the enforcer runs against a broker of the test's own,
 * which is killed and started again mid-stream (the shared broker is never disturbed).
 */
import { Kafka, logLevel } from "kafkajs";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { EnforcerProcess } from "./enforcer-process";
import { createTopics, enforcerMain, expectExactlyOnce, inputRecord, produce, readCommitted, testTopics, waitFor, writeBundleDir, writeRoutesFile } from "./enforcer-harness";

let broker: OwnBroker;

beforeAll(async () => {
  broker = await startOwnBroker();
}, 180_000);
afterAll(async () => {
  await broker.dispose();
}, 60_000);

describe("the enforcer across a broker restart", () => {
  it("loses, duplicates and leaks nothing when the broker is killed and restarted mid-stream", async () => {
    enforcerMain();
    const kafka = new Kafka({ clientId: "enforcer-restart-test", brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const topics = testTopics("restart");
    await createTopics(kafka, [topics.from], 2);
    const enforcer = new EnforcerProcess("restart", {
      brokers: broker.brokers,
      policyDir: await writeBundleDir(topics.from),
      routesFile: await writeRoutesFile(`kind: Route\nname: ${topics.from}\nfrom: ${topics.from}\nto: ${topics.to}\n`),
      auditTopic: topics.audit,
    });
    const n = 4000;
    try {
      enforcer.start();
      await produce(kafka, topics.from, Array.from({ length: n / 2 }, (_, i) => inputRecord(i)));
      const admin = kafka.admin();
      await admin.connect();
      await waitFor("the first outputs", async () => (await admin.fetchTopicOffsets(topics.to).catch(() => [])).some((p) => Number(p.high) > 0), 60_000);
      await admin.disconnect();
      await broker.kill();
      await broker.start();
      await produce(kafka, topics.from, Array.from({ length: n / 2 }, (_, i) => inputRecord(n / 2 + i)));
      const expectedOut = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0).length;
      const out = await readCommitted(kafka, topics.to, expectedOut, 180_000, 4_000);
      const quarantined = await readCommitted(kafka, topics.quarantine, n - expectedOut, 60_000);
      const audits = await readCommitted(kafka, topics.audit, n + (n - expectedOut), 60_000);
      expectExactlyOnce(n, out, quarantined, audits);
    } catch (error) {
      process.stderr.write(`enforcer:\n${enforcer.output}\n`);
      throw error;
    } finally {
      await enforcer.kill();
    }
  }, 400_000);
});
