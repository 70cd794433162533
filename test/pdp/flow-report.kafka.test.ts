/**
 * The decision service reports the flows it decided to the flows topic: every decided write of
 * Check, CheckBatch and CheckStream counted once under its flow's signature (labels and sources
 * in any order or repeated are one flow), a request that could not be decided not at all, and a
 * window whose send failed sent with the next one. With reporting off it writes nothing and
 * creates no flows topic.
 */
import { create } from "@bufbuild/protobuf";
import { ConfigResourceTypes } from "kafkajs";

import { CheckRequestSchema, EnforcementPoint } from "@flowzone/proto";

import { awaitFlowReports, countsByFlow } from "../support/flow-reports";
import { testBrokers, testKafka, testKafkaConfig, uniqueTopic } from "../support/kafka";
import { waitFor } from "../support/poll";
import { createTopics } from "../support/topics";
import { grpcError, nextMessage, startPdp, type CheckInit, type Pdp } from "./pdp-harness";

const kafka = testKafka("pdp-flows-test");

const EXPORT: CheckInit = { producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };
const MAILER: CheckInit = { producer: "svc:crm", sink: "svc:mailer", sources: ["table:crm.contacts"] };
const RANKER: CheckInit = { producer: "svc:banana-app", sink: "svc:banana-ranker", labels: ["banana"], purpose: "banana" };
const BOTH: CheckInit = { producer: "svc:banana-app", sink: "table:crm.contacts", labels: ["pii.email", "banana"] };

async function topicConfig(topic: string, name: string): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [name] }] });
    return described.resources[0]?.configEntries.find((entry) => entry.configName === name)?.configValue;
  } finally {
    await admin.disconnect();
  }
}

async function topicExists(topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

async function deleteTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic], timeout: 20_000 });
  } finally {
    await admin.disconnect();
  }
}

/** Sends `requests` on one CheckStream and waits for every answer. */
async function streamChecks(pdp: Pdp, requests: readonly CheckInit[]): Promise<void> {
  const stream = pdp.client.stream();
  for (const request of requests) {
    const answered = nextMessage(stream);
    stream.write(create(CheckRequestSchema, request));
    await answered;
  }
  stream.end();
}

/** A decision service reporting flows to `flowsTopic` every 300 ms. */
function startReportingPdp(flowsTopic: string, flowReportIntervalMs = 300): Promise<Pdp> {
  return startPdp({ kafka: { brokers: testBrokers(), config: testKafkaConfig("decision"), auditTopic: uniqueTopic("pdp-flows-audit"), controlTopic: uniqueTopic("pdp-flows-control"), flowsTopic, flowReportIntervalMs } });
}

describe("decision service flow reports", () => {
  it("sum to each flow's decisions over Check, CheckBatch and CheckStream, on a compacted topic keyed by signature", async () => {
    const flowsTopic = uniqueTopic("pdp-flows");
    const pdp = await startReportingPdp(flowsTopic);
    try {
      for (let i = 0; i < 3; i++) await pdp.client.check(EXPORT);
      await pdp.client.check({ ...EXPORT, labels: ["banana", "banana"] });
      await pdp.client.check(BOTH);
      await pdp.client.check({ ...BOTH, labels: ["banana", "pii.email"] });
      await pdp.client.checkBatch([MAILER, MAILER, RANKER, MAILER]);
      await streamChecks(pdp, [RANKER, RANKER, MAILER]);
      // Not decided: an undeclared label is a bad request, not a flow.
      await grpcError(pdp.client.check({ ...EXPORT, labels: ["no-such-label"] }));

      const reports = await awaitFlowReports(kafka, flowsTopic, 13);
      expect(countsByFlow(reports)).toEqual({
        "svc:banana-app kafka:export-daily [banana] [] ": 4,
        "svc:banana-app table:crm.contacts [banana,pii.email] [] ": 2,
        "svc:crm svc:mailer [] [table:crm.contacts] ": 4,
        "svc:banana-app svc:banana-ranker [banana] [] banana": 3,
      });
      const version = pdp.service.policyVersion();
      for (const report of reports) {
        expect(report).toMatchObject({ enforcementPoint: EnforcementPoint.DECISION_SERVICE, policyVersion: version });
        expect(report.reporter).toMatch(/^pdp-/);
      }
      expect(await topicConfig(flowsTopic, "cleanup.policy")).toBe("compact");
    } finally {
      await pdp.stop();
    }
  }, 90_000);

  it("keep a window whose send failed (the topic was gone) and send its counts once the topic is back", async () => {
    const flowsTopic = uniqueTopic("pdp-flows-retry");
    const pdp = await startReportingPdp(flowsTopic);
    try {
      // Created by the service at start: wait for it, then take it away.
      await waitFor(`the flows topic ${flowsTopic}`, () => topicExists(flowsTopic), { timeoutMs: 20_000 });
      await deleteTopic(flowsTopic);
      for (let i = 0; i < 5; i++) await pdp.client.check(MAILER);
      await waitFor("a failed send of flow reports", () => pdp.lines.some((line) => line.msg === "cannot send flow reports; their counts are kept and sent with the next window"), { timeoutMs: 30_000 });
      for (let i = 0; i < 2; i++) await pdp.client.check(MAILER);
      await createTopics(kafka, [flowsTopic], { config: { "cleanup.policy": "compact" } });
      const reports = await awaitFlowReports(kafka, flowsTopic, 7, 40_000);
      expect(countsByFlow(reports)).toEqual({ "svc:crm svc:mailer [] [table:crm.contacts] ": 7 });
    } finally {
      await pdp.stop();
    }
  }, 150_000);
});

describe("decision service with flow reporting off", () => {
  it("reports nothing and creates no flows topic", async () => {
    const flowsTopic = uniqueTopic("pdp-flows-off");
    const auditTopic = uniqueTopic("pdp-flows-off-audit");
    const pdp = await startPdp({ kafka: { brokers: testBrokers(), config: testKafkaConfig("decision"), auditTopic, controlTopic: uniqueTopic("pdp-flows-off-control"), flowsTopic, flowReportIntervalMs: 0 } });
    try {
        await pdp.client.check(EXPORT);
        // The audit topic and the flows topic would be created in one step: once the audit topic is there, the flows topic would be too.
        await waitFor(`the audit topic ${auditTopic}`, () => topicExists(auditTopic), { timeoutMs: 20_000 });
        expect(await topicExists(flowsTopic)).toBe(false);
    } finally {
      await pdp.stop();
    }
  }, 60_000);
});
