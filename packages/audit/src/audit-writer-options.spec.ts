import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import { AUDIT_WRITER_DEFAULTS, resolveAuditWriterOptions } from "./audit-writer-options";

const logger = createLogger({ level: "silent" });
const kafka = createKafka({ brokers: ["127.0.0.1:1"], clientId: "options-spec", logger });
const base = { kafka, logger, spoolDir: "/tmp/spool" };

describe("resolveAuditWriterOptions", () => {
  it("fills every default in one place", () => {
    expect(resolveAuditWriterOptions(base)).toMatchObject({ ...AUDIT_WRITER_DEFAULTS, spoolSegmentBytes: 16 * 1024 * 1024 });
    expect(resolveAuditWriterOptions({ ...base, maxSpoolBytes: 80_000 }).spoolSegmentBytes).toBe(10_000);
  });

  it.each([
    [{ maxQueueRecords: 0 }, /maxQueueRecords must be an integer from 1/],
    [{ maxQueueRecords: 1.5 }, /maxQueueRecords/],
    [{ maxSpoolBytes: 10 }, /maxSpoolBytes must be an integer from 1024/],
    [{ batchMaxRecords: 1000, maxQueueRecords: 100 }, /batchMaxRecords must be an integer from 1 to 100/],
    [{ lingerMs: -1 }, /lingerMs/],
    [{ spoolDir: "" }, /spoolDir/],
    [{ topic: "" }, /topic/],
  ])("throws on %j", (override, message) => {
    expect(() => resolveAuditWriterOptions({ ...base, ...override })).toThrow(message);
  });
});
