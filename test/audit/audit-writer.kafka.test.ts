import fs from "node:fs";

import { AuditWriter } from "@flowzone/audit";
import { ensureTopics } from "@flowzone/kafka";

import { testKafka, uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { auditRecord, idsFrom, readAuditTopic, tempSpoolDir, unreachableKafka, ZONES } from "./audit-support";

const kafka = testKafka("audit-writer-test");

describe("AuditWriter on a real broker", () => {
  it("puts offered records on the topic in order, key = zone, with trace id and policy version", async () => {
    const topic = uniqueTopic("audit");
    await ensureTopics(kafka, [{ topic }]);
    const spoolDir = tempSpoolDir();
    const { logger } = collectingLogger();
    const writer = await AuditWriter.start({ kafka, logger, topic, spoolDir, batchMaxRecords: 50 });
    let next = 0;
    for (const size of [1, 3, 2, 1, 50, 7, 136]) {
      const records = Array.from({ length: size }, () => auditRecord(next++));
      expect(writer.offer(records).accepted).toBe(true);
    }
    await waitUntil(`the writer to have sent all ${next} records`, () => writer.stats(), (stats) => stats.sent === next, { timeoutMs: 20_000, intervalMs: 20 });
    await writer.close(5_000);

    const onTopic = await readAuditTopic(kafka, topic);
    expect(onTopic.map((r) => r.id)).toEqual(idsFrom(0, next));
    onTopic.forEach((r, i) => {
      expect(r.key).toBe(ZONES[i % ZONES.length]);
      expect(r.zone).toBe(r.key);
      expect(r.traceId).toBe(`trace-${i}`);
      expect(r.policyVersion).toBe("sha256:test/epoch-1");
    });
    expect(writer.stats()).toMatchObject({ sent: next, dropped: 0, queued: 0, spooledRecords: 0, spooledBytes: 0 });
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }, 60_000);

  it("refuses offers once the spool is full, counting them per zone and logging no payload", async () => {
    const spoolDir = tempSpoolDir();
    const { logger, lines } = collectingLogger();
    const writer = await AuditWriter.start({ kafka: unreachableKafka(), logger, topic: uniqueTopic("audit-full"), spoolDir, maxQueueRecords: 10, batchMaxRecords: 5, maxSpoolBytes: 4096 });
    const results = Array.from({ length: 200 }, (_, i) => ({ i, result: writer.offer([auditRecord(i)]) }));
    const refused = results.filter((r) => !r.result.accepted);
    const accepted = results.filter((r) => r.result.accepted);

    expect(accepted.length).toBeGreaterThan(10); // the spool took more than memory holds
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.result).toEqual({ accepted: false, reason: "spool_full" });
    const stats = writer.stats();
    expect(stats.dropped).toBe(refused.length);
    const byZone: Record<string, number> = {};
    for (const { i } of refused) byZone[ZONES[i % ZONES.length] ?? ""] = (byZone[ZONES[i % ZONES.length] ?? ""] ?? 0) + 1;
    expect(stats.droppedByZone).toEqual(byZone);
    expect(stats.spooledBytes).toBeLessThanOrEqual(4096);
    expect(stats.spooledRecords).toBe(accepted.length); // every accepted record is written ahead

    const errorLine = lines.find((l) => l["msg"] === "audit records could not be kept; callers apply each zone's fail posture");
    expect(errorLine).toMatchObject({ level: 50, reason: "spool_full" });
    expect(JSON.stringify(lines)).not.toContain("may not leave its zone"); // a payload's text never reaches the log
    await writer.close(200);
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }, 30_000);

  it("leaves what it could not send in the spool at close, and a new writer on that spool drains it in order", async () => {
    const topic = uniqueTopic("audit-restart");
    await ensureTopics(kafka, [{ topic }]);
    const spoolDir = tempSpoolDir();
    const { logger } = collectingLogger();

    const first = await AuditWriter.start({ kafka: unreachableKafka(), logger, topic, spoolDir, maxQueueRecords: 1_000 });
    for (let i = 0; i < 120; i += 3) expect(first.offer([auditRecord(i), auditRecord(i + 1), auditRecord(i + 2)]).accepted).toBe(true);
    await first.close(300);
    expect(first.stats()).toMatchObject({ sent: 0, dropped: 0, queued: 0, spooledRecords: 120 });
    expect(first.offer([auditRecord(999)])).toEqual({ accepted: false, reason: "closed" });

    const second = await AuditWriter.start({ kafka, logger, topic, spoolDir });
    expect(second.stats().spooledRecords).toBe(120);
    for (let i = 120; i < 150; i += 1) second.offer([auditRecord(i)]);
    await waitUntil("the second writer to have sent all 150 records", () => second.stats(), (stats) => stats.sent === 150, { timeoutMs: 20_000, intervalMs: 20 });
    await second.close(5_000);
    expect(second.stats()).toMatchObject({ spooledRecords: 0, spooledBytes: 0, dropped: 0 });
    expect((await readAuditTopic(kafka, topic)).map((r) => r.id)).toEqual(idsFrom(0, 150));
    fs.rmSync(spoolDir, { recursive: true, force: true });
  }, 60_000);
});
