/**
 * Audit durability when the spool's disk fails: `flowzone pdp` answers no violating Check before
 * its audit record is written to the spool, however long the write keeps failing; while it fails,
 * a new violation of a zone that fails closed is denied, saying why, and every other Check is
 * answered as usual, and the service says it is not ready (gRPC health, /readyz, the
 * spool-writable gauge);
 * once the disk takes writes again, the held answers go out and every answered violation reaches
 * flowzone.audit.v1. The fault is the kernel's: the process's file-size limit
 * (prlimit), so the spool's next write fails with EFBIG until the limit is raised again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { AUDIT_TOPIC } from "@flowzone/kafka";
import { Decision, type CheckResponse } from "@flowzone/proto";
import { Kafka, logLevel } from "kafkajs";

import { largestFileBytes, limitFileSize } from "../support/file-size-limit";
import { startOwnBroker, type OwnBroker } from "../support/own-broker";
import { waitUntil } from "../support/poll";
import { decisionServicePort, loggedPort } from "../support/processes";
import { step } from "../support/steps";
import { BUNDLE, DecisionClient, HealthClient, makeBundleDir } from "../pdp/pdp-harness";
import { auditViolations, probe, spooledPdp } from "../pdp/pdp-process";

/** The test bundle with the email zone failing closed: a violation it cannot audit is denied. */
const FILES = { ...BUNDLE, "zones/email.yml": `${BUNDLE["zones/email.yml"] ?? ""}failMode: closed\n` };
/** A logging violation of the email zone: allowed, and audited. */
const emailToAnalytics = (requestId: string): { requestId: string; producer: string; sink: string; labels: string[] } => ({ requestId, producer: "svc:crm", sink: "svc:analytics", labels: ["pii.email"] });

describe("the decision service when its audit spool cannot write", () => {
  let broker: OwnBroker;
  let work: string;

  beforeAll(async () => {
    broker = await startOwnBroker();
    work = await mkdtemp(join(tmpdir(), "flowzone-spool-fault-"));
  }, 120_000);
  afterAll(async () => {
    await broker.dispose();
    await rm(work, { recursive: true, force: true });
  }, 60_000);

  it("holds the answers whose records wait for the disk, denies new fail-closed violations meanwhile, and loses no answered record", async () => {
    const policyDir = await makeBundleDir(FILES);
    const spoolDir = join(work, "spool");
    const pdp = spooledPdp("flowzone pdp", { policyDir, brokers: broker.brokers, spoolDir });
    const metricsLine = "metrics listening on /metrics";
    await pdp.waitFor("its gRPC and metrics ports in the log", (p) => decisionServicePort(p.stdout) !== undefined && loggedPort(p.stdout, metricsLine) !== undefined, 60_000);
    const metricsPort = loggedPort(pdp.stdout, metricsLine) ?? 0;
    const writableGauge = async (): Promise<string | undefined> => /^flowzone_audit_spool_writable\{[^}]*\} (\d)$/m.exec(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text())?.[1];
    await waitUntil("the decision service ready", () => probe(metricsPort, "/readyz"), (ready) => ready.status === 200);
    expect(await writableGauge()).toBe("1");
    const client = new DecisionClient(`127.0.0.1:${decisionServicePort(pdp.stdout) ?? 0}`);
    const health = new HealthClient(`127.0.0.1:${decisionServicePort(pdp.stdout) ?? 0}`);
    /** gRPC health follows the health report within a second. */
    const grpcHealth = (status: string): Promise<string> => waitUntil(`gRPC health ${status}`, () => health.check("flowzone.v1.DecisionService"), (seen) => seen === status, { timeoutMs: 5_000, intervalMs: 100 });
    const answeredIds: string[] = [];
    try {
      const before = await client.check(emailToAnalytics("before"));
      expect(before).toMatchObject({ decision: Decision.ALLOW, violations: [{ zone: "email", enforced: false }] });
      answeredIds.push(before.decisionId);

      const restore = limitFileSize(await largestFileBytes(spoolDir, ".seg"), pdp.pid);
      let restored = false;
      /** Checks not answered within 200 ms: held for the disk, or refusals that were slow; each says whether it was answered after the limit was raised. */
      const pending: Promise<{ response: CheckResponse; afterRestore: boolean }>[] = [];
      try {
        const refused = await step("violations until one is refused for want of a spool: the ones before wait for the disk", async () => {
          for (let i = 0; i < 50; i += 1) {
            const answer = client.check(emailToAnalytics(`during-${i}`));
            const first = await Promise.race([answer, new Promise<undefined>((resolve) => setTimeout(resolve, 200, undefined))]);
            if (first?.decision === Decision.DENY) return first;
            if (first !== undefined) throw new Error(`a violation was answered as kept while the spool cannot write: ${JSON.stringify(first.violations)}`);
            pending.push(answer.then((response) => ({ response, afterRestore: restored })));
          }
          throw new Error("50 violations and none refused while the spool cannot write");
        });
        expect(pending.length).toBeGreaterThan(0);
        expect(refused.violations).toMatchObject([{ zone: "email", enforced: true }]);
        expect(refused.violations[0]?.reason).toContain("Denied: the audit trail cannot keep this record (its spool cannot be written) and zone email fails closed.");
        const clean = await client.check({ requestId: "clean", producer: "svc:crm", sink: "table:crm.contacts", labels: ["pii.email"] });
        expect(clean).toMatchObject({ decision: Decision.ALLOW, violations: [] });
        await pdp.waitForStdout("audit spool cannot write");
        expect(await probe(metricsPort, "/readyz")).toMatchObject({ status: 503, body: { status: "not_ready", audit: { state: "unwritable", lastError: expect.stringMatching(/file too large/i) as unknown } } });
        expect(await writableGauge()).toBe("0");
        await grpcHealth("NOT_SERVING");
      } finally {
        restored = true;
        restore();
      }

      await step("the disk takes writes again: the held answers go out, and violations are kept again", async () => {
        const answers = await Promise.all(pending);
        // A refusal slower than 200 ms is among them, denied for the spool; every allow waited for the disk.
        const held = answers.filter(({ response }) => response.decision === Decision.ALLOW);
        expect(held.length).toBeGreaterThan(0);
        expect(held.filter(({ afterRestore }) => !afterRestore)).toEqual([]);
        for (const { response } of answers.filter((answer) => !held.includes(answer))) expect(response.violations[0]?.reason).toContain("its spool cannot be written");
        expect(held.every(({ response }) => response.violations.length === 1)).toBe(true);
        answeredIds.push(...held.map(({ response }) => response.decisionId));
        await pdp.waitForStdout("audit spool writes again");
        const after = await client.check(emailToAnalytics("after"));
        expect(after).toMatchObject({ decision: Decision.ALLOW, violations: [{ zone: "email", enforced: false }] });
        answeredIds.push(after.decisionId);
        expect(await probe(metricsPort, "/readyz")).toMatchObject({ status: 200, body: { status: "ready", audit: { state: "writing" } } });
        expect(await writableGauge()).toBe("1");
        await grpcHealth("SERVING");
      });

      await step(`every answered violation is on ${AUDIT_TOPIC}`, async () => {
        const kafka = new Kafka({ clientId: "spool-fault-test", brokers: [broker.brokers], logLevel: logLevel.ERROR });
        await waitUntil(
          "the answered decisions' records on the audit topic (seen: those still missing)",
          async () => {
            const onTopic = new Set((await auditViolations(kafka)).map((v) => v.decisionId));
            return answeredIds.filter((id) => !onTopic.has(id));
          },
          (missing) => missing.length === 0,
          { timeoutMs: 30_000, intervalMs: 300 },
        );
      });
    } finally {
      client.close();
      health.close();
    }
    expect(await pdp.stop()).toEqual({ code: 0, signal: null });
    await rm(policyDir, { recursive: true, force: true });
  }, 240_000);
});
