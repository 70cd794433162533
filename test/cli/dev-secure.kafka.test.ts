/**
 * `flowzone dev --secure` as a user runs it: kafka-local's secured broker (SASL_SSL, SCRAM, ACLs),
 * every service as its principal, the client properties files printed. The main Kafka paths work
 * under the ACLs: a violating check's audit record reaches the audit topic (read with the printed
 * admin file) and the control plane's backlog (its consumer of the audit topic); a zone flip goes from the control plane through the control topic to the decision
 * service; a record the producer principal writes is routed by the enforcer's transactions.
 * Ctrl-C stops it cleanly.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { AUDIT_TOPIC, createKafka, readKafkaClientConfig } from "@flowzone/kafka";
import { ensureKafkaJars } from "@flowzone/kafka-local";
import { AuditRecordSchema, Decision, type AuditRecord } from "@flowzone/proto";

import { DecisionClient } from "../pdp/pdp-harness";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { FLOWZONE_MAIN, REPO_ROOT, TestProcess } from "../support/processes";
import { step } from "../support/steps";
import { readCommittedExactly, readToEnd } from "../support/topic-tail";

describe("flowzone dev --secure", () => {
  it("runs every service on the secured broker, prints the client properties files, carries audit, flips and routes, and stops cleanly on SIGINT", async () => {
    if (!existsSync(FLOWZONE_MAIN)) throw new Error(`${FLOWZONE_MAIN} is missing: run 'npm run build' first (npm test does)`);
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-secure-"));
    // The suite's jars stand in for the first run's Maven resolution, which a fresh home would repeat.
    const libsDir = await ensureKafkaJars({ cacheDir: path.join(REPO_ROOT, ".flowzone", "kafka") });
    await mkdir(path.join(home, "kafka"));
    await symlink(libsDir, path.join(home, "kafka", path.basename(libsDir)));
    // No settings of flowzone's but the Kafka version, so dev runs the version of the jars linked above.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("FLOWZONE_") || name === "FLOWZONE_KAFKA_VERSION"));
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
      const pdp = new DecisionClient(`127.0.0.1:${pdpPort ?? ""}`);
      client = pdp;
      const violating = { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };
      const denied = await pdp.check({ requestId: "dev-secure-1", ...violating });
      expect(denied.decision).toBe(Decision.DENY);

      const logger = collectingLogger("warn").logger;
      const admin = readKafkaClientConfig(adminFile ?? "");
      const kafka = createKafka({ brokers: [...(admin.bootstrapServers ?? [])], clientId: "dev-secure-test", logger, config: admin });
      await step("the check's violation record on the audit topic", async () => {
        const read = async (): Promise<AuditRecord[]> => (await readToEnd(kafka, AUDIT_TOPIC)).flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)]));
        await waitUntil("the violation record", read, (all) => all.some((r) => r.event.case === "violation" && r.event.value.decisionId === denied.decisionId), { timeoutMs: 40_000, intervalMs: 500 });
      }, { timeoutMs: 45_000 });

      const controlUrl = /control plane\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(dev.stdout)?.[1] ?? "";
      const cli = async (args: readonly string[]): Promise<{ code: number | null; stdout: string }> => {
        const command = TestProcess.flowzone(`flowzone ${args.join(" ")}`, args, { env: { ...env, FLOWZONE_CONTROL_URL: controlUrl } });
        const { code } = await command.exited;
        return { code, stdout: command.stdout };
      };

      await step("the violation in the control plane's backlog", async () => {
        const open = async (): Promise<readonly { producer: string; sink: string }[]> => {
          const result = await cli(["violations", "banana", "--json"]);
          return result.code === 0 ? (JSON.parse(result.stdout) as { violations: { producer: string; sink: string }[] }).violations : [];
        };
        await waitUntil("an open banana violation of svc:banana-app to kafka:export-daily", open, (all) => all.some((v) => v.producer === violating.producer && v.sink === violating.sink), {
          timeoutMs: 25_000,
          intervalMs: 500,
        });
      }, { timeoutMs: 30_000 });

      await step("a flip of the banana zone to logging reaches the decision service", async () => {
        expect((await cli(["zones", "flip", "banana", "--to", "logging", "--reason", "secured broker test"])).code).toBe(0);
        const decide = () => pdp.check({ requestId: "dev-secure-2", ...violating });
        await waitUntil("the check allowed under logging", decide, (answer) => answer.decision === Decision.ALLOW, { timeoutMs: 25_000, intervalMs: 300 });
      }, { timeoutMs: 30_000 });

      await step("a record the producer principal writes is routed by the enforcer", async () => {
        const producerKafka = createKafka({ brokers: [...(admin.bootstrapServers ?? [])], clientId: "dev-secure-producer", logger, config: readKafkaClientConfig(producerFile ?? "") });
        const producer = producerKafka.producer();
        await producer.connect();
        await producer.send({ topic: "crm-contacts", messages: [{ key: "dev-secure", value: "a contact" }] });
        await producer.disconnect();
        const routed = await waitUntil("the record on marketing-audience", () => readCommittedExactly(kafka, "marketing-audience"), (all) => all.some((m) => m.key?.toString() === "dev-secure"), {
          timeoutMs: 25_000,
          intervalMs: 500,
        });
        expect(routed.filter((m) => m.key?.toString() === "dev-secure")).toHaveLength(1);
      }, { timeoutMs: 30_000 });

      pdp.close();
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
