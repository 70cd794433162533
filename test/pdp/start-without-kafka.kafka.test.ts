/**
 * `flowzone pdp` started while its Kafka is down: it answers, spools the audit trail and says it
 * is not ready (gRPC health NOT_SERVING, /readyz 503) until it has read the control topic; once
 * the broker is up it becomes ready and the spooled violations reach flowzone.audit.v1. The
 * broker is the test's own (own-broker.ts), so stopping it disturbs no other test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { AUDIT_TOPIC } from "@flowzone/kafka";
import { Decision } from "@flowzone/proto";
import { Kafka, logLevel } from "kafkajs";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { waitUntil } from "../support/poll";
import { decisionServicePort, loggedPort } from "../support/processes";
import { step } from "../support/steps";
import { DecisionClient, HealthClient, makeBundleDir } from "./pdp-harness";
import { auditViolations, probe, spooledPdp } from "./pdp-process";

/** A write the bundle's banana zone denies twice (its boundary and its no-export rule). */
const VIOLATING = { requestId: "outage-1", producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };

describe("flowzone pdp started while Kafka is down", () => {
  let broker: OwnBroker;
  let work: string;

  beforeAll(async () => {
    broker = await startOwnBroker();
    work = await mkdtemp(join(tmpdir(), "flowzone-pdp-outage-"));
  }, 120_000);
  afterAll(async () => {
    await broker.dispose();
    await rm(work, { recursive: true, force: true });
  }, 60_000);

  it("answers and spools while not ready, then becomes ready and puts the spooled violations on the audit topic", async () => {
    await step("the broker is stopped", () => broker.stop(), { timeoutMs: 60_000 });

    const policyDir = await makeBundleDir();
    const pdp = spooledPdp("flowzone pdp", { policyDir, brokers: broker.brokers, spoolDir: join(work, "spool") });
    const { grpcPort, metricsPort } = await step("flowzone pdp starts with its brokers down", async () => {
      await pdp.waitFor("the gRPC and metrics ports in the log", (p) => decisionServicePort(p.stdout) !== undefined && loggedPort(p.stdout, "metrics listening on /metrics") !== undefined);
      return { grpcPort: decisionServicePort(pdp.stdout) ?? 0, metricsPort: loggedPort(pdp.stdout, "metrics listening on /metrics") ?? 0 };
    });
    const client = new DecisionClient(`127.0.0.1:${grpcPort}`);
    const health = new HealthClient(`127.0.0.1:${grpcPort}`);
    try {
      const answer = await step("it answers a violating Check under the directory's bundle", async () => {
        const response = await client.check(VIOLATING);
        expect(response.decision).toBe(Decision.DENY);
        expect(response.violations.map((v) => v.rule).sort()).toEqual(["boundary", "no-export"]);
        return response;
      });

      await step("its health says not ready: gRPC NOT_SERVING, /readyz 503 waiting for the control topic", async () => {
        expect(await health.check("")).toBe("NOT_SERVING");
        expect(await health.check("flowzone.v1.DecisionService")).toBe("NOT_SERVING");
        const ready = await probe(metricsPort, "/readyz");
        expect(ready).toMatchObject({ status: 503, body: { status: "not_ready", controlTopic: { state: "waiting" } } });
        expect(ready.body["audit"]).not.toMatchObject({ state: "off" });
        expect(await probe(metricsPort, "/healthz")).toMatchObject({ status: 200, body: { status: "not_ready" } });
      });

      await step("the broker starts again", () => broker.start(), { timeoutMs: 90_000 });

      await step(
        "it becomes ready: gRPC SERVING, /readyz 200 with the control topic read",
        async () => {
          await waitUntil("gRPC health SERVING for flowzone.v1.DecisionService", () => health.check("flowzone.v1.DecisionService"), (status) => status === "SERVING", {
            timeoutMs: 60_000,
            intervalMs: 200,
          });
          expect(await health.check("")).toBe("SERVING");
          expect(await probe(metricsPort, "/readyz")).toMatchObject({ status: 200, body: { status: "ready", controlTopic: { state: "read" } } });
        },
        { timeoutMs: 70_000 },
      );

      await step(
        "the violations answered during the outage reach flowzone.audit.v1, once each",
        async () => {
          const kafka = new Kafka({ clientId: "pdp-outage-test", brokers: [broker.brokers], logLevel: logLevel.ERROR });
          const violations = await waitUntil(
            `both violations of decision ${answer.decisionId} on ${AUDIT_TOPIC}`,
            async () => (await auditViolations(kafka)).filter((v) => v.decisionId === answer.decisionId).map((v) => v.rule),
            (rules) => rules.length >= 2,
            { timeoutMs: 60_000, intervalMs: 500 },
          );
          expect(violations.sort()).toEqual(["boundary", "no-export"]);
        },
        { timeoutMs: 70_000 },
      );

      await step("it stops cleanly", async () => {
        expect(await pdp.stop()).toEqual({ code: 0, signal: null });
      });
    } finally {
      client.close();
      health.close();
      await rm(policyDir, { recursive: true, force: true });
    }
  }, 330_000);
});
