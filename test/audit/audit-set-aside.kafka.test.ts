// Kafka refuses an audit record itself (larger than the topic's max.message.bytes): the writer
// sets it aside in the dead-letter file beside its spool and the records behind it flow on.
// Before, the refused batch stayed at the head of the trail and was retried forever.
import fs from "node:fs";
import path from "node:path";

import { AuditWriter, DEAD_LETTER_FILE, encodeViolationAudit, type DeadLetter, type EncodedAuditRecord } from "@flowzone/audit";

import { testKafka, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { createTopics } from "../support/topics";
import { auditRecord, idsFrom, readAuditTopic, tempSpoolDir } from "./audit-support";

const kafka = testKafka("audit-set-aside-test");
/** The topic's limit; an ordinary audit record is a few hundred bytes. */
const MAX_MESSAGE_BYTES = 16_384;

/** A violation audit record whose producer alone is `bytes` long: larger than the topic accepts. */
function oversized(bytes: number): EncodedAuditRecord {
  return encodeViolationAudit(
    {
      decisionId: "d-oversized",
      write: { producer: `svc:${"p".repeat(bytes)}`, sink: "kafka:export-daily", labels: ["banana"], sources: [], purpose: "" },
      violation: { zone: "banana", rule: "boundary", mode: "logging", enforced: false, failMode: "open", labels: ["banana"], reason: "banana data may not leave its zone" },
      enforcementPoint: "decision_service",
      policyVersion: "sha256:test/epoch-1",
      traceId: "trace-oversized",
      timeMs: 1_700_000_000_000,
    },
    0,
  );
}

describe("AuditWriter when Kafka refuses a record", () => {
  it("sets the record aside in the dead-letter file, logs its id, and sends every record behind it exactly once, in order", async () => {
    const topic = uniqueTopic("audit-too-large");
    await createTopics(kafka, [topic], { config: { "max.message.bytes": String(MAX_MESSAGE_BYTES) } });
    const spoolDir = tempSpoolDir();
    const { logger, lines } = collectingLogger();
    const writer = await AuditWriter.start({ kafka, logger, topic, spoolDir, batchMaxRecords: 50, lingerMs: 50 });
    const huge = oversized(4 * MAX_MESSAGE_BYTES);
    try {
      // In one batch with ordinary records before and after it, then 20 more offered later.
      expect(writer.offer([auditRecord(0), auditRecord(1), huge, auditRecord(2), auditRecord(3)]).accepted).toBe(true);
      for (let i = 4; i < 24; i += 1) expect(writer.offer([auditRecord(i)]).accepted).toBe(true);
      await waitUntil("every ordinary record sent and the oversized one set aside", () => writer.stats(), (s) => s.sent === 24 && s.setAside === 1, { intervalMs: 20 });
    } finally {
      await writer.close(5_000);
    }

    const onTopic = await readAuditTopic(kafka, topic);
    expect(onTopic.map((r) => r.id)).toEqual(idsFrom(0, 24));
    expect(writer.stats()).toMatchObject({ sent: 24, setAside: 1, dropped: 0, queued: 0, spooledRecords: 0 });

    const letters = fs.readFileSync(path.join(spoolDir, DEAD_LETTER_FILE), "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as DeadLetter);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id: "d-oversized/0", key: "banana", bytes: huge.value.length, reason: expect.stringMatching(/larger than|too large/i) as unknown });
    expect(Buffer.from(letters[0]?.value ?? "", "base64").equals(huge.value)).toBe(true);

    const logged = lines.find((line) => line["msg"] === "audit record set aside: Kafka refuses it, so it is kept in the dead-letter file beside the spool and the records behind it flow on");
    expect(logged).toMatchObject({ level: 50, id: "d-oversized/0", zone: "banana", file: path.join(spoolDir, DEAD_LETTER_FILE) });
    expect(JSON.stringify(lines)).not.toContain("p".repeat(100));
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }, 60_000);
});
