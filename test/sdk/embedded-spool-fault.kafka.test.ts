/**
 * The embedded guarded producer when its audit spool cannot write: a violating write whose audit
 * record waits for the disk is not sent before the record is written; a new violation of a zone
 * that fails closed is refused with FlowCheckUnavailableError, saying why, and nothing is written;
 * once the disk takes writes again the waiting sends go out and their records reach the audit
 * topic. The fault is the kernel's: this process's file-size limit (prlimit), under which the
 * spool's next write fails with EFBIG until the limit is raised again.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";

import { FlowCheckUnavailableError, type GuardedProducer, type SendResult } from "@flowzone/sdk";
import { embeddedDecider } from "@flowzone/sdk/embedded";

import { largestFileBytes, limitFileSize } from "../support/file-size-limit";
import { uniqueTopic } from "../support/kafka";
import { step } from "../support/steps";
import { createTopics } from "../support/topics";
import { writeBundle } from "../pdp/pdp-harness";
import { SDK_BUNDLE, awaitAuditViolations, emailZone, guardedProducer, kafka, recordsOf, tempDir } from "./sdk-harness";

describe("guarded producer, embedded, when its audit spool cannot write", () => {
  let dir: string;
  let producer: GuardedProducer;
  const auditTopic = uniqueTopic("sdk-spool-audit");
  const topic = uniqueTopic("sdk-spool-out");

  beforeAll(async () => {
    dir = await tempDir("flowzone-sdk-spool-fault-");
    await writeBundle(join(dir, "policy"), { ...SDK_BUNDLE, "zones/email.yaml": emailZone("closed") });
    await createTopics(kafka, [topic]);
    producer = await guardedProducer({
      producer: "svc:sdk-spool",
      decider: embeddedDecider({ policyDir: join(dir, "policy"), auditSpoolDir: join(dir, "spool"), auditTopic, followControlTopic: false, flowReportIntervalMs: 0 }),
    });
  }, 60_000);
  afterAll(async () => {
    await producer.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends no violating write before its record is on disk, refuses new ones of a fail-closed zone, and sends the waiting ones once it writes again", async () => {
    /** An email write outside the zone (a logging violation), its own shape each time so no decision comes from the cache. */
    const violating = (n: number): Promise<SendResult> => producer.send({ topic, messages: [{ value: `v${n}` }], flow: { labels: ["pii.email"], purpose: `fault-${n}` } });
    const first = await violating(0);
    expect(first.violations).toEqual([expect.objectContaining({ zone: "email", enforced: false })]);

    const restore = limitFileSize(await largestFileBytes(join(dir, "spool"), ".seg"));
    let restored = false;
    /** Writes not settled within 200 ms: waiting for the disk, or refusals that were slow; a sent one says whether it went out after the limit was raised. */
    const pending: Promise<{ value: string; result: SendResult; afterRestore: boolean } | { value: string; error: unknown }>[] = [];
    try {
      const refused = await step("violating writes until one is refused for want of a spool: the ones before wait for the disk", async () => {
        for (let n = 1; n <= 50; n += 1) {
          const send = violating(n);
          const settled = await Promise.race([send.then(() => "sent", (error: unknown) => error), new Promise((resolve) => setTimeout(resolve, 200, "waiting"))]);
          if (settled === "sent") throw new Error(`write v${n} was sent while its audit record could not be written`);
          if (settled !== "waiting") return settled;
          pending.push(send.then((result) => ({ value: `v${n}`, result, afterRestore: restored }), (error: unknown) => ({ value: `v${n}`, error })));
        }
        throw new Error("50 violating writes and none refused while the spool cannot write");
      });
      expect(refused).toBeInstanceOf(FlowCheckUnavailableError);
      expect((refused as Error).message).toContain("the audit trail cannot keep this write's records (its spool cannot be written) and zone email fails closed");
      expect(pending.length).toBeGreaterThan(0);
    } finally {
      restored = true;
      restore();
    }

    const settled = await step("the disk takes writes again: the waiting writes are sent", () => Promise.all(pending));
    // A refusal slower than 200 ms is among them, refused for the spool; every write sent waited for the disk.
    const results = settled.flatMap((outcome) => ("result" in outcome ? [outcome] : []));
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter(({ afterRestore }) => !afterRestore)).toEqual([]);
    for (const outcome of settled) if ("error" in outcome) expect(String(outcome.error)).toContain("its spool cannot be written");
    const decisionIds = [first, ...results.map(({ result }) => result)].map((result) => result.decisionId);
    const sent = await recordsOf(topic);
    expect(sent.map((record) => record.value)).toEqual(["v0", ...results.map(({ value }) => value)]);
    await awaitAuditViolations(auditTopic, "a violation record for every write sent", (all) => decisionIds.every((id) => all.some((r) => r.event.case === "violation" && r.event.value.decisionId === id)));
  }, 120_000);
});
