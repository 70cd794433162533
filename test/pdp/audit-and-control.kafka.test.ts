/**
 * The decision service with Kafka: one audit record per violation (with the decision id, the
 * caller's trace id and the policy version), per-zone decision counts, and zone flips arriving
 * through the control topic.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { AuditRecordSchema, CheckRequestSchema, ControlRecordSchema, Decision, EnforcementPoint, Mode } from "@flowzone/proto";
import type { AuditRecord, CheckResponse } from "@flowzone/proto";

import { testBrokers, testKafka, testKafkaConfig, uniqueTopic } from "../support/kafka";
import { waitUntil } from "../support/poll";
import { readToEnd } from "../support/topic-tail";
import { startPdp, type Pdp } from "./pdp-harness";

/** The test's reads (on the secured broker, as the super user). */
const kafka = testKafka("pdp-audit-test");

/**
 * Waits until the audit records satisfy `done`, each attempt reading every partition of the audit
 * topic to the end offsets it has then, and returns that read in full.
 */
function awaitAudit(topic: string, what: string, done: (records: AuditRecord[]) => boolean, timeoutMs = 20_000): Promise<AuditRecord[]> {
  const read = async (): Promise<AuditRecord[]> => (await readToEnd(kafka, topic)).flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)]));
  return waitUntil(what, read, done, { timeoutMs, intervalMs: 200 });
}

describe("decision service with the audit trail and the control topic", () => {
  let pdp: Pdp;
  const auditTopic = uniqueTopic("pdp-audit");
  const controlTopic = uniqueTopic("pdp-control");

  beforeAll(async () => {
    pdp = await startPdp({ kafka: { brokers: testBrokers(), config: testKafkaConfig("decision"), auditTopic, controlTopic, trafficIntervalMs: 300 } });
  }, 60_000);
  afterAll(async () => {
    await pdp.stop();
  });

  it("writes one audit record per violation, keyed by zone, with the trace id and the policy version", async () => {
    const metadata = new grpc.Metadata();
    metadata.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    const denied = await pdp.client.check({ requestId: "a-1", producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] }, metadata);
    const allowed = await pdp.client.check({ requestId: "a-2", producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"] });
    expect(denied.violations).toHaveLength(2);
    expect(allowed.violations).toHaveLength(0);

    const records = await awaitAudit(auditTopic, "the two violation records", (all) => all.filter((r) => r.event.case === "violation").length >= 2);
    const violations = records.filter((r) => r.event.case === "violation");
    expect(violations).toHaveLength(2);
    for (const record of violations) {
      expect(record).toMatchObject({ zone: "banana", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", policyVersion: denied.policyVersion });
      expect(record.event.value).toMatchObject({ decisionId: denied.decisionId, producer: "svc:banana-app", sink: "kafka:export-daily", enforced: true, enforcementPoint: EnforcementPoint.DECISION_SERVICE });
    }
    expect(violations.map((r) => (r.event.case === "violation" ? r.event.value.rule : "")).sort()).toEqual(["boundary", "no-export"]);
    expect(new Set(violations.map((r) => r.id)).size).toBe(2);
  }, 40_000);

  it("answers a burst on one CheckStream in request order, none lost, every denial audited", async () => {
    // 600 requests in flight: the answers wait in groups, one per audit flush, and a group larger
    // than the stream's buffer meets backpressure part way through.
    const requests = Array.from({ length: 600 }, (_, i) =>
      i % 3 === 0
        ? { requestId: `burst-${i}`, producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"] }
        : { requestId: `burst-${i}`, producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] },
    );
    const stream = pdp.client.stream();
    const answers: CheckResponse[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      stream.on("data", (response: CheckResponse) => answers.push(response));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    for (const request of requests) stream.write(create(CheckRequestSchema, request));
    stream.end();
    await ended;

    expect(answers.map((a) => a.requestId)).toEqual(requests.map((r) => r.requestId));
    const denied = answers.filter((a) => a.decision === Decision.DENY).map((a) => a.decisionId);
    expect(denied).toHaveLength(400);
    const records = await awaitAudit(auditTopic, "the burst's 800 violation records", (all) => all.filter((r) => r.event.case === "violation" && denied.includes(r.event.value.decisionId)).length >= 800);
    expect(new Set(records.flatMap((r) => (r.event.case === "violation" && denied.includes(r.event.value.decisionId) ? [r.id] : []))).size).toBe(800);
  }, 60_000);

  it("reports how many decisions each zone evaluated", async () => {
    for (let i = 0; i < 5; i++) await pdp.client.check({ producer: "svc:crm", sink: "svc:mailer", sources: ["table:crm.contacts"] });
    const records = await awaitAudit(auditTopic, "traffic records counting 5 decisions of the email zone", (all) => traffic(all, "email") >= 5);
    expect(traffic(records, "email")).toBe(5);
  }, 40_000);

  it("decides under a zone flip published on the control topic, and reports its epoch", async () => {
    const write = { producer: "svc:crm", sink: "svc:ads-ranker", sources: ["table:crm.contacts"] };
    expect((await pdp.client.check(write)).decision).toBe(Decision.ALLOW);

    // Written as the control plane writes it (on the secured broker, as its principal).
    const producer = testKafka("pdp-control-writer", "control").producer();
    await producer.connect();
    const flip = create(ControlRecordSchema, { epoch: 7n, item: { case: "zoneMode", value: { zone: "email", mode: Mode.ENFORCEMENT } } });
    await producer.send({ topic: controlTopic, messages: [{ key: "zone/email", value: Buffer.from(toBinary(ControlRecordSchema, flip)) }] });
    await producer.disconnect();

    // A failing check fails the test at once, not after the wait.
    const response = await waitUntil(
      "a decision under the flip",
      () => pdp.client.check(write).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      (r) => r instanceof Error || r.decision === Decision.DENY,
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    if (response instanceof Error) throw response;
    expect(response.policyVersion).toMatch(/@7$/);
    expect(response.violations[0]).toMatchObject({ zone: "email", mode: Mode.ENFORCEMENT, enforced: true });
  }, 40_000);
});

function traffic(records: readonly AuditRecord[], zone: string): number {
  return records
    .filter((r) => r.zone === zone && r.event.case === "zoneTraffic")
    .reduce((sum, r) => sum + (r.event.case === "zoneTraffic" ? Number(r.event.value.decisions) : 0), 0);
}
