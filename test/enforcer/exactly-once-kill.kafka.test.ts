/**
 * Exactly once under SIGKILL: two enforcer processes share a route's partitions; each is killed
 * mid-stream and restarted while records keep coming. Outputs, quarantine and audit are read
 * with read_committed and checked record by record.
 */
import { testBrokers, testKafka } from "../support/kafka";
import { EnforcerProcess } from "./enforcer-process";
import { createTopics, enforcerMain, expectExactlyOnce, inputRecord, produce, readCommitted, sleep, testTopics, waitFor, writeBundleDir, writeRoutesFile } from "./enforcer-harness";

const kafka = testKafka("enforcer-kill-test");
const processes: EnforcerProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});

async function highWatermark(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // The enforcer creates the output topic; until then there is nothing to count.
    return (await admin.fetchTopicOffsets(topic).catch(() => [])).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

describe("the enforcer under SIGKILL", () => {
  it("loses, duplicates and leaks nothing when its processes are killed mid-stream and restarted", async () => {
    enforcerMain();
    const topics = testTopics("kill");
    await createTopics(kafka, [topics.from], 3);
    const env = {
      brokers: testBrokers().join(","),
      policyDir: await writeBundleDir(topics.from),
      routesFile: await writeRoutesFile(`kind: Route\nname: ${topics.from}\nfrom: ${topics.from}\nto: ${topics.to}\n`),
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
        await produce(kafka, topics.from, Array.from({ length: chunk }, (_, i) => inputRecord(sent + i)));
        if (step === 5) {
          await waitFor("the first outputs", async () => (await highWatermark(topics.to)) > 0, 60_000);
          await a.kill();
        }
        if (step === 9) a.start();
        if (step === 13) await b.kill();
        if (step === 15) b.start();
        await sleep(150);
      }
      const expectedOut = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0).length;
      const out = await readCommitted(kafka, topics.to, expectedOut, 150_000, 4_000);
      const quarantined = await readCommitted(kafka, topics.quarantine, n - expectedOut, 60_000);
      const audits = await readCommitted(kafka, topics.audit, n + (n - expectedOut), 60_000);
      expectExactlyOnce(n, out, quarantined, audits);
    } catch (error) {
      process.stderr.write(`enforcer a:\n${a.output}\nenforcer b:\n${b.output}\n`);
      throw error;
    }
    expect(await b.stop()).toBe(0);
  }, 300_000);
});
