/**
 * Audit durability: an answered decision's violation records survive a crash of the decision
 * service. Under load, the broker dies (SIGKILL) and, a few hundred answers later, before the
 * writer has even noticed the outage, so does `flowzone pdp`; restarted on the same spool with the
 * broker back, it puts every violation of every answered Check on flowzone.audit.v1. A batch the
 * dying broker wrote without acknowledging it may come twice, with the same record id: counted by
 * id, each violation is there exactly once. The broker is the test's own (own-broker.ts), so
 * killing it disturbs no other test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { AUDIT_TOPIC } from "@flowzone/kafka";
import { Kafka, logLevel } from "kafkajs";

import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { waitUntil } from "../support/poll";
import { decisionServicePort, type TestProcess } from "../support/processes";
import { step } from "../support/steps";
import { DecisionClient, makeBundleDir } from "../pdp/pdp-harness";
import { auditViolations, spooledPdp } from "../pdp/pdp-process";

/** Callers sending Checks at once; answers before the broker dies, and after it died before the kill. */
const CALLERS = 32;
const ANSWERED_BEFORE_OUTAGE = 500;
const ANSWERED_IN_OUTAGE = 300;

describe("audit records of answered decisions across a SIGKILL of the decision service", () => {
  let broker: OwnBroker;
  let work: string;

  beforeAll(async () => {
    broker = await startOwnBroker();
    work = await mkdtemp(join(tmpdir(), "flowzone-audit-crash-"));
  }, 120_000);
  afterAll(async () => {
    await broker.dispose();
    await rm(work, { recursive: true, force: true });
  }, 60_000);

  it("are all on the topic, each exactly once, after a restart on the same spool with the broker back", async () => {
    const policyDir = await makeBundleDir();
    const start = (name: string): TestProcess => spooledPdp(name, { policyDir, brokers: broker.brokers, spoolDir: join(work, "spool") });
    const listening = async (pdp: TestProcess): Promise<number> => {
      await pdp.waitFor("its gRPC port in the log", (p) => decisionServicePort(p.stdout) !== undefined, 60_000);
      return decisionServicePort(pdp.stdout) ?? 0;
    };
    const first = start("flowzone pdp (to be killed)");
    const client = new DecisionClient(`127.0.0.1:${await listening(first)}`);
    /** Rule names of each answered decision's violations, by decision id. */
    const answered = new Map<string, string[]>();
    try {
      await step(
        `${CALLERS} callers send violating Checks; the broker dies after ${ANSWERED_BEFORE_OUTAGE} answers, the decision service ${ANSWERED_IN_OUTAGE} answers later`,
        async () => {
          let sent = 0;
          const failures: string[] = [];
          const caller = async (): Promise<void> => {
            for (;;) {
              const request = { requestId: `crash-${sent++}`, producer: "svc:banana-app", sink: "kafka:export-daily", labels: ["banana"] };
              try {
                const response = await client.check(request);
                answered.set(response.decisionId, response.violations.map((v) => v.rule));
              } catch (error) {
                failures.push(String(error));
                return; // the process is gone: this Check was never answered
              }
            }
          };
          const callers = Array.from({ length: CALLERS }, caller);
          await waitUntil("answers with the broker up", () => (failures.length > 0 ? new Error(failures[0]) : answered.size), (n) => n instanceof Error || n >= ANSWERED_BEFORE_OUTAGE, { timeoutMs: 60_000, intervalMs: 5 });
          expect(failures).toEqual([]);
          await broker.kill();
          const atOutage = answered.size;
          await waitUntil("answers with the broker dead", () => answered.size, (n) => n >= atOutage + ANSWERED_IN_OUTAGE, { timeoutMs: 30_000, intervalMs: 1 });
          expect(await first.kill()).toEqual({ code: null, signal: "SIGKILL" });
          await Promise.all(callers);
          expect([...answered.values()].every((rules) => rules.length === 2)).toBe(true);
        },
        { timeoutMs: 120_000 },
      );
    } finally {
      client.close();
    }

    await step("the broker starts again", () => broker.start(), { timeoutMs: 90_000 });
    const second = start("flowzone pdp (restarted)");
    await listening(second);

    await step(
      "every violation of every answered Check reaches flowzone.audit.v1, exactly once by record id",
      async () => {
        const kafka = new Kafka({ clientId: "audit-crash-test", brokers: [broker.brokers], logLevel: logLevel.ERROR });
        await waitUntil(
          `the violations of all ${answered.size} answered Checks on ${AUDIT_TOPIC} (seen: how many answered decisions have none there yet)`,
          async () => {
            const decisions = new Set((await auditViolations(kafka)).map((v) => v.decisionId));
            return [...answered.keys()].filter((id) => !decisions.has(id)).length;
          },
          (missing) => missing === 0,
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const violations = await auditViolations(kafka);
        const byId = new Map(violations.map((v) => [v.id, v]));
        const rulesByDecision = new Map<string, string[]>();
        for (const v of byId.values()) rulesByDecision.set(v.decisionId, [...(rulesByDecision.get(v.decisionId) ?? []), v.rule]);
        const missing = [...answered].filter(([id, rules]) => (rulesByDecision.get(id) ?? []).sort().join() !== [...rules].sort().join());
        expect({ count: missing.length, first: missing.slice(0, 3) }).toEqual({ count: 0, first: [] });
      },
      { timeoutMs: 70_000 },
    );

    await step("the restarted decision service stops cleanly", async () => {
      expect(await second.stop()).toEqual({ code: 0, signal: null });
    });
    await rm(policyDir, { recursive: true, force: true });
  }, 330_000);
});
