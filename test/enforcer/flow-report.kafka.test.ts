/**
 * The stream enforcer reports the flows of the records it routed: each decided record's write
 * (the route's producer, `kafka:<to>`, the record's labels, its sources with the `from` topic's
 * asset, its purpose) counted once its chunk commits; a record that could not be decided is no flow.
 */
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import { startEnforcer, type Route } from "@flowzone/enforcer";
import { EnforcementPoint } from "@flowzone/proto";

import { awaitFlowReports, countsByFlow } from "../support/flow-reports";
import { testBrokers, testKafka, uniqueTopic } from "../support/kafka";
import { createTopics, produce } from "../support/topics";
import { testTopics, waitForEnforcerCaughtUp, writeBundleDir } from "./enforcer-harness";

const kafka = testKafka("enforcer-flows-test");
const enforcerKafka = createKafka({ brokers: testBrokers(), clientId: "enforcer-flows-under-test", logger: createLogger({ level: "fatal" }) });

describe("the stream enforcer's flow reports", () => {
  it("sum to the records routed per flow, with the from topic among the sources", async () => {
    const topics = testTopics("flows");
    const flowsTopic = uniqueTopic("enforcer-flows");
    await createTopics(kafka, [topics.from], { partitions: 2 });
    const route: Route = { name: topics.from, from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:enricher" };
    const enforcer = await startEnforcer({
      kafka: enforcerKafka,
      routes: [route],
      policyDir: await writeBundleDir(topics.from),
      logger: createLogger({ level: "warn", service: "enforcer-flows-test" }),
      auditTopic: topics.audit,
      flowsTopic,
      flowReportIntervalMs: 300,
      sessionTimeoutMs: 6000,
    });
    try {
      await produce(kafka, topics.from, [
        { key: "a", value: "plain" },
        { key: "b", value: "plain" },
        { key: "c", value: "plain" },
        { key: "d", value: "medical", headers: { "flowzone-labels": "health" } },
        { key: "e", value: "medical", headers: { "flowzone-labels": "health" } },
        { key: "f", value: "billing", headers: { "flowzone-sources": "table:patients", "flowzone-purpose": "billing" } },
        // Cannot be decided (no value): quarantined with flowzone-error, not a flow.
        { key: "g", value: null },
      ]);
      await waitForEnforcerCaughtUp(kafka, route);
      const reports = await awaitFlowReports(kafka, flowsTopic, 6);
      expect(countsByFlow(reports)).toEqual({
        [`svc:enricher kafka:${topics.to} [] [kafka:${topics.from}] `]: 3,
        [`svc:enricher kafka:${topics.to} [health] [kafka:${topics.from}] `]: 2,
        [`svc:enricher kafka:${topics.to} [] [kafka:${topics.from},table:patients] billing`]: 1,
      });
      for (const report of reports) {
        expect(report).toMatchObject({ enforcementPoint: EnforcementPoint.STREAM_ENFORCER, policyVersion: enforcer.policyVersion() });
        expect(report.reporter).toMatch(/^enforcer-[0-9a-f]{12}$/);
      }
    } finally {
      await enforcer.close();
    }
  }, 120_000);
});
