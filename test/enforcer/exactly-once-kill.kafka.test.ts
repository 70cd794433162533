/**
 * Exactly once under SIGKILL: two enforcer processes share a route's partitions; each is killed
 * mid-stream and restarted while records keep coming. Once the route's group has committed the
 * whole input, the committed records of outputs, quarantine and audit up to their end offsets are
 * checked record by record.
 */
import { setTimeout as delay } from "node:timers/promises";

import { testBrokers, testKafka, testKafkaConfigFile } from "../support/kafka";
import { readCommittedExactly } from "../support/topic-tail";
import { createTopics, produce } from "../support/topics";
import { EnforcerProcess } from "./enforcer-process";
import { enforcerMain, expectExactlyOnce, inputRecord, processRoute, testTopics, waitForEnforcerCaughtUp, waitForEnforcerProgress, writeBundleDir, writeProcessRoutesFile } from "./enforcer-harness";

/** Topics and reads (on the secured broker, as the super user); the input is an application's. */
const kafka = testKafka("enforcer-kill-test");
const application = testKafka("enforcer-kill-input", "producer");
const processes: EnforcerProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});

describe("the enforcer under SIGKILL", () => {
  it("loses, duplicates and leaks nothing when its processes are killed mid-stream and restarted", async () => {
    enforcerMain();
    const topics = testTopics("kill");
    await createTopics(kafka, [topics.from], { partitions: 3 });
    const env = {
      brokers: testBrokers().join(","),
      kafkaConfigFile: testKafkaConfigFile("decision"),
      policyDir: await writeBundleDir(topics.from),
      routesFile: await writeProcessRoutesFile(topics),
      auditTopic: topics.audit,
    };
    const a = new EnforcerProcess("a", env);
    const b = new EnforcerProcess("b", env);
    processes.push(a, b);
    a.start();
    b.start();

    const n = 6000;
    const chunk = 300;
    try {
      for (let sent = 0, step = 0; sent < n; sent += chunk, step++) {
        await produce(application, topics.from, Array.from({ length: chunk }, (_, i) => inputRecord(sent + i)));
        if (step === 5) {
          await waitForEnforcerProgress(kafka, processRoute(topics));
          await a.kill();
        }
        if (step === 9) a.start();
        if (step === 13) await b.kill();
        if (step === 15) b.start();
        // Pacing, not a guard: the records keep coming over the kills and restarts instead of
        // landing all at once before the first kill.
        await delay(150);
      }
      await waitForEnforcerCaughtUp(kafka, processRoute(topics), 150_000);
      // Told committed or aborted by the transaction markers: kafkajs' own read_committed lets
      // records of aborted transactions through, which the kills leave. Its partitions' new owners
      // fenced and aborted the killed processes' open transactions before committing past them.
      const out = await readCommittedExactly(kafka, topics.to, { timeoutMs: 90_000 });
      const quarantined = await readCommittedExactly(kafka, topics.quarantine, { timeoutMs: 90_000 });
      const audits = await readCommittedExactly(kafka, topics.audit, { timeoutMs: 90_000 });
      expectExactlyOnce(n, out, quarantined, audits);
    } catch (error) {
      process.stderr.write(`${a.output}\n${b.output}\n`);
      throw error;
    }
    expect(await b.stop()).toBe(0);
  }, 300_000);
});
