/**
 * Exactly once across a broker restart: the enforcer runs against a broker of the test's own,
 * which is killed and started again mid-stream (the shared broker is never disturbed).
 */
import { Kafka, logLevel } from "kafkajs";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { readCommittedExactly } from "../support/topic-tail";
import { createTopics, produce } from "../support/topics";
import { EnforcerProcess } from "./enforcer-process";
import { enforcerMain, expectExactlyOnce, inputRecord, processRoute, testTopics, waitForEnforcerCaughtUp, waitForEnforcerProgress, writeBundleDir, writeProcessRoutesFile } from "./enforcer-harness";

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
    await createTopics(kafka, [topics.from], { partitions: 2 });
    const enforcer = new EnforcerProcess("restart", {
      brokers: broker.brokers,
      policyDir: await writeBundleDir(topics.from),
      routesFile: await writeProcessRoutesFile(topics),
      auditTopic: topics.audit,
    });
    const n = 4000;
    try {
      enforcer.start();
      await produce(kafka, topics.from, Array.from({ length: n / 2 }, (_, i) => inputRecord(i)));
      await waitForEnforcerProgress(kafka, processRoute(topics));
      await broker.kill();
      await broker.start();
      await produce(kafka, topics.from, Array.from({ length: n / 2 }, (_, i) => inputRecord(n / 2 + i)));
      await waitForEnforcerCaughtUp(kafka, processRoute(topics), 180_000);
      // Told committed or aborted by the transaction markers: kafkajs' own read_committed lets
      // records of aborted transactions through.
      const out = await readCommittedExactly(kafka, topics.to, { timeoutMs: 90_000 });
      const quarantined = await readCommittedExactly(kafka, topics.quarantine, { timeoutMs: 90_000 });
      const audits = await readCommittedExactly(kafka, topics.audit, { timeoutMs: 90_000 });
      expectExactlyOnce(n, out, quarantined, audits);
    } catch (error) {
      process.stderr.write(`${enforcer.output}\n`);
      throw error;
    } finally {
      await enforcer.kill();
    }
  }, 400_000);
});
