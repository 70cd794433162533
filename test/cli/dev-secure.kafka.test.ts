/**
 * `flowzone dev --secure` as a user runs it: kafka-local's secured broker (SASL_SSL, SCRAM, ACLs),
 * every service as its principal, the client properties files printed; a violating check's audit
 * record reaches the audit topic, read with the printed admin file; Ctrl-C stops it cleanly.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { AUDIT_TOPIC, createKafka, readKafkaClientConfig } from "@flowzone/kafka";
import { ensureKafkaJars } from "@flowzone/kafka-local";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";

import { DecisionClient } from "../pdp/pdp-harness";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { FLOWZONE_MAIN, REPO_ROOT, TestProcess } from "../support/processes";
import { readToEnd } from "../support/topic-tail";

describe("flowzone dev --secure", () => {
  it("runs every service on the secured broker, prints the client properties files, and stops cleanly on SIGINT", async () => {
    if (!existsSync(FLOWZONE_MAIN)) throw new Error(`${FLOWZONE_MAIN} is missing: run 'npm run build' first (npm test does)`);
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-secure-"));
    // The suite's jars stand in for the first run's Maven resolution, which a fresh home would repeat.
    const libsDir = await ensureKafkaJars({ cacheDir: path.join(REPO_ROOT, ".flowzone", "kafka") });
    await mkdir(path.join(home, "kafka"));
    await symlink(libsDir, path.join(home, "kafka", path.basename(libsDir)));
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("FLOWZONE_")));
    const dev = TestProcess.flowzone("flowzone dev --secure", ["dev", "--secure", "--home", home, "--pdp-port", "0", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"], { env });
    let client: DecisionClient | undefined;
    try {
      await dev.waitForStdout("Press Ctrl-C to stop.", 120_000);
      expect(dev.stdout).toMatch(/Kafka\s+127\.0\.0\.1:\d+ \(SASL_SSL, SCRAM-SHA-256, ACLs\)/);
      const producerFile = /FLOWZONE_KAFKA_CONFIG=(\S+producer\.client\.properties)/.exec(dev.stdout)?.[1];
      const adminFile = /Kafka admin\s+(\S+admin\.client\.properties)/.exec(dev.stdout)?.[1];
      expect(producerFile).toBeDefined();
      expect(readKafkaClientConfig(producerFile ?? "").sasl).toMatchObject({ mechanism: "scram-sha-256", username: "producer" });

      const pdpPort = /decision service\s+127\.0\.0\.1:(\d+)/.exec(dev.stdout)?.[1];
      client = new DecisionClient(`127.0.0.1:${pdpPort ?? ""}`);
      const denied = await client.check({ requestId: "dev-secure-1", producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] });
      expect(denied.violations.length).toBeGreaterThan(0);

      const admin = readKafkaClientConfig(adminFile ?? "");
      const kafka = createKafka({ brokers: [...(admin.bootstrapServers ?? [])], clientId: "dev-secure-test", logger: collectingLogger("fatal").logger, config: admin });
      const read = async (): Promise<AuditRecord[]> => (await readToEnd(kafka, AUDIT_TOPIC)).flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)]));
      await waitUntil("the check's violation record on the audit topic", read, (all) => all.some((r) => r.event.case === "violation" && r.event.value.decisionId === denied.decisionId), {
        timeoutMs: 45_000,
        intervalMs: 500,
      });

      client.close();
      client = undefined;
      expect((await dev.stop("SIGINT", 60_000)).code).toBe(0);
      expect(dev.stderr).toContain("flowzone dev: stopped");
    } finally {
      client?.close();
      if (dev.alive) await dev.kill();
      await rm(home, { recursive: true, force: true });
    }
  }, 240_000);
});
