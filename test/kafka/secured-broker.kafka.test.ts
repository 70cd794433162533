/**
 * flowzone on a secured broker (SASL_SSL, SCRAM, KRaft's StandardAuthorizer with flowzone's
 * ACLs): the built `flowzone pdp`, given only FLOWZONE_KAFKA_CONFIG with the decision points'
 * principal, writes its audit trail and its flow reports over SASL_SSL; the broker refuses a
 * producer principal's writes to the control, audit and flows topics, and the decision service
 * keeps answering.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connect } from "node:tls";

import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import { AUDIT_TOPIC, CONTROL_TOPIC, FLOWS_TOPIC, KAFKA_CONFIG_SETTING, createKafka, ensureTopics } from "@flowzone/kafka";
import { ensureKafkaJars, startSecuredBroker, type SecuredBroker, type SecuredPrincipal } from "@flowzone/kafka-local";
import type { Kafka } from "kafkajs";

import { DecisionClient, makeBundleDir } from "../pdp/pdp-harness";
import { readFlowReports } from "../support/flow-reports";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { decisionServicePort, REPO_ROOT, TestProcess } from "../support/processes";
import { readToEnd } from "../support/topic-tail";

/** A kafkajs client of `principal`, configured from its client properties file the way the services read it. */
function kafkaAs(broker: SecuredBroker, principal: SecuredPrincipal): Kafka {
  const config = KAFKA_CONFIG_SETTING.resolve(broker.clientProperties[principal]);
  return createKafka({ brokers: [broker.brokers], clientId: `secured-test-${principal}`, logger: collectingLogger("warn").logger, config });
}

/** Where a send ended: written, or the broker's error type (kafkajs' `type`). */
async function sendOutcome(kafka: Kafka, topic: string): Promise<string> {
  const producer = kafka.producer({ retry: { retries: 1 } });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value: "not a flowzone record" }] });
    return "written";
  } catch (error) {
    return typeof error === "object" && error !== null && "type" in error ? String(error.type) : String(error);
  } finally {
    await producer.disconnect();
  }
}

/** How a TLS connection without a client certificate ends: "connected", or the TLS error's code. */
function tlsWithoutClientCertificate(port: number, caFile: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, ca: readFileSync(caFile) });
    // TLS 1.3 finishes the client's handshake before the server has checked its certificate: the refusal comes as an alert after.
    socket.on("secureConnect", () => setTimeout(() => { socket.destroy(); resolve("connected"); }, 2_000));
    socket.on("error", (error: NodeJS.ErrnoException) => { resolve(error.code ?? error.message); });
  });
}

describe("flowzone on a SASL_SSL broker with ACLs", () => {
  let workDir: string;
  let bundleDir: string;
  let broker: SecuredBroker;
  let pdp: TestProcess;
  let client: DecisionClient;

  beforeAll(async () => {
    const libsDir = await ensureKafkaJars({ cacheDir: path.join(REPO_ROOT, ".flowzone", "kafka") });
    workDir = await mkdtemp(path.join(os.tmpdir(), "flowzone-secured-broker-"));
    broker = await startSecuredBroker({ libsDir, workDir: path.join(workDir, "broker") });
    // The control topic exists, as the control plane would have made it, so a refused write is refused for its ACL.
    await ensureTopics(kafkaAs(broker, "admin"), [{ topic: CONTROL_TOPIC, compacted: true }]);
    bundleDir = await makeBundleDir();
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("FLOWZONE_")));
    // No --brokers: the address comes from the file's bootstrap.servers, as with kcat -F.
    pdp = TestProcess.flowzone("flowzone pdp", ["pdp", "--policy", bundleDir, "--port", "0", "--metrics-port", "0"], {
      env: { ...env, FLOWZONE_KAFKA_CONFIG: broker.clientProperties.decision, FLOWZONE_AUDIT_SPOOL: path.join(workDir, "spool") },
    });
    await pdp.waitFor('its "decision service listening" log line', () => decisionServicePort(pdp.stdout) !== undefined, 30_000);
    client = new DecisionClient(`127.0.0.1:${decisionServicePort(pdp.stdout) ?? 0}`);
  }, 150_000);

  afterAll(async () => {
    client.close();
    await pdp.stop();
    await broker.stop();
    await rm(workDir, { recursive: true, force: true });
    await rm(bundleDir, { recursive: true, force: true });
  }, 60_000);

  it("writes a violating Check's audit record to flowzone.audit.v1 over SASL_SSL as the decision points' principal", async () => {
    const denied = await client.check({ requestId: "secured-1", producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] });
    expect(denied.violations.length).toBeGreaterThan(0);
    const admin = kafkaAs(broker, "admin");
    const read = async (): Promise<AuditRecord[]> => (await readToEnd(admin, AUDIT_TOPIC)).flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)]));
    const records = await waitUntil("the Check's violation records on the audit topic", read, (all) => all.some((r) => r.event.case === "violation" && r.event.value.decisionId === denied.decisionId), {
      timeoutMs: 45_000,
      intervalMs: 500,
    });
    const violation = records.find((r) => r.event.case === "violation" && r.event.value.decisionId === denied.decisionId);
    expect(violation?.event.value).toMatchObject({ producer: "svc:banana-app", sink: "kafka:export-daily" });
    // Its flow, too, within a report interval (5 s).
    const flows = await waitUntil("the Check's flow on the flows topic", () => readFlowReports(admin, FLOWS_TOPIC), (all) => all.some((r) => r.producer === "svc:banana-app" && r.sink === "kafka:export-daily"), { timeoutMs: 30_000, intervalMs: 500 });
    expect(flows.find((r) => r.sink === "kafka:export-daily")?.labels).toEqual(["banana"]);
  }, 90_000);

  it("refuses a producer principal's writes to the control, audit and flows topics, not to its own, while the decision service keeps answering", async () => {
    const producer = kafkaAs(broker, "producer");
    // Made beforehand: a first write that creates its topic can outlast the send's one retry while the leader is elected.
    const ownTopic = `secured-own-${process.pid}`;
    await ensureTopics(kafkaAs(broker, "admin"), [{ topic: ownTopic }]);
    expect(await sendOutcome(producer, ownTopic)).toBe("written");
    expect(await sendOutcome(producer, CONTROL_TOPIC)).toBe("TOPIC_AUTHORIZATION_FAILED");
    expect(await sendOutcome(producer, AUDIT_TOPIC)).toBe("TOPIC_AUTHORIZATION_FAILED");
    // Made by the decision service at start, with the audit topic: forged flows would enter the inventory.
    expect(await sendOutcome(producer, FLOWS_TOPIC)).toBe("TOPIC_AUTHORIZATION_FAILED");
    const answer = await client.check({ requestId: "secured-2", producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"] });
    expect(answer.violations).toHaveLength(0);
    expect(pdp.alive).toBe(true);
  }, 60_000);

  it("lets no client onto the controller listener without the broker's certificate", async () => {
    // The alert's code is spelled by the OpenSSL Node was built with: SSLV3 in Node 20, SSL/TLS in Node 24.
    expect(await tlsWithoutClientCertificate(broker.controllerPort, broker.caFile)).toMatch(/^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_BAD_CERTIFICATE$/);
  });
});
