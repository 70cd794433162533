import type { Message } from "kafkajs";

import { degrade, fitRecord, planChunks, topicMessagesOf, writtenBytes, type DecidedRecord, type WriteTopics } from "./chunk-plan";

// kafkajs' own record encoder (v2 record format), to check the estimate against what goes on the wire.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const encodeRecord = require("kafkajs/src/protocol/recordBatch/record/v0") as (record: { offsetDelta: number; timestampDelta: number; key: unknown; value: unknown; headers: unknown }) => { size(): number };

const topics: WriteTopics = { to: "out", quarantine: "out.q", audit: "audit" };

function record(offset: number, message: Message | undefined, audits = 1, target: string | undefined = "out"): DecidedRecord {
  return {
    origin: `in/0/${offset}`,
    offset: String(offset),
    inputBytes: 300,
    target,
    message,
    audits: Array.from({ length: audits }, () => ({ key: "banana", value: Buffer.alloc(570) })),
    outcome: target === "out" ? "forwarded" : "quarantined",
    step: 0,
    reasons: [],
  };
}

describe("writtenBytes", () => {
  it("is at least what kafkajs encodes for the record, headers and arrays of header values included", () => {
    const cases: Message[] = [
      { key: null, value: null },
      { key: "k", value: "v" },
      { key: Buffer.alloc(300), value: Buffer.alloc(70_000), headers: { a: "1", "flowzone-labels": "banana,health", many: ["x", Buffer.from("yy")] } },
      { key: "ключ", value: "значение", headers: { "x-ü": "ö".repeat(200) } },
    ];
    for (const message of cases) {
      const encoded = encodeRecord({ offsetDelta: 1_999, timestampDelta: 2 ** 40, key: message.key ?? null, value: message.value ?? null, headers: message.headers ?? {} }).size();
      expect(writtenBytes(message)).toBeGreaterThanOrEqual(encoded);
      expect(writtenBytes(message)).toBeLessThan(encoded + 60);
    }
  });
});

describe("planChunks", () => {
  const capOf = (topic: string): number => (topic === "audit" ? 10_000 : topic === "out.q" ? 60_000 : 50_000);
  const limits = { capOf, maxMessageBytesOf: (topic: string) => capOf(topic) + 512, maxRecords: 2000, maxInputBytes: 256 * 1024 };

  it("keeps a chunk whose writes fit together, as chunks by input bytes did", () => {
    const records = Array.from({ length: 10 }, (_, i) => record(i, { key: "k", value: "v" }));
    expect(planChunks(records, topics, limits)).toHaveLength(1);
  });

  it("splits where a topic's written bytes (audit records here) would pass its cap", () => {
    const records = Array.from({ length: 50 }, (_, i) => record(i, { key: "k", value: "v" }, 2));
    const chunks = planChunks(records, topics, limits);
    expect(chunks.flat()).toEqual(records);
    for (const chunk of chunks) {
      const audit = topicMessagesOf(chunk, "audit").find((t) => t.topic === "audit")?.messages ?? [];
      expect(audit.reduce((sum, m) => sum + writtenBytes(m), 0)).toBeLessThanOrEqual(10_000);
    }
    expect(chunks.length).toBeGreaterThan(5);
  });

  it("still bounds records and input bytes per chunk", () => {
    const records = Array.from({ length: 5 }, (_, i) => record(i, { key: "k", value: "v" }, 0));
    expect(planChunks(records, topics, { ...limits, maxRecords: 2 }).map((c) => c.length)).toEqual([2, 2, 1]);
    expect(planChunks(records, topics, { ...limits, maxInputBytes: 600 }).map((c) => c.length)).toEqual([2, 2, 1]);
  });

  it("fits a record larger than its topic's cap, in its place, and sizes the chunk by what the fitted record writes", () => {
    const records = [record(1, { key: "k", value: "v" }), record(2, { key: "k", value: Buffer.alloc(55_000) }), record(3, { key: "k", value: "v" })];
    const chunks = planChunks(records, topics, limits);
    const planned = chunks.flat();
    expect(planned[0]).toBe(records[0]);
    expect(planned[2]).toBe(records[2]);
    expect(planned[1]).toEqual(fitRecord(records[1] as DecidedRecord, topics, limits.capOf, limits.maxMessageBytesOf));
    expect(planned[1]).toMatchObject({ target: "out.q", step: 1 });
    // Whole in quarantine (55 kB under its 60 kB cap), so one chunk holds all three.
    expect(chunks).toHaveLength(1);
  });

  it("counts an output that goes to the audit topic itself with the audit records there", () => {
    const sameTopic: WriteTopics = { to: "audit", quarantine: "out.q", audit: "audit" };
    const records = Array.from({ length: 8 }, (_, i) => record(i, { key: "k", value: Buffer.alloc(1000) }, 1, "audit"));
    const chunks = planChunks(records, sameTopic, limits);
    for (const chunk of chunks) {
      const written = topicMessagesOf(chunk, "audit").flatMap((t) => t.messages);
      expect(written.reduce((sum, m) => sum + writtenBytes(m), 0)).toBeLessThanOrEqual(10_000);
    }
    expect(chunks.length).toBeGreaterThan(1);
  });
});

describe("fitRecord and degrade", () => {
  const cap = (topic: string): number => (topic === "out" ? 1000 : topic === "out.q" ? 2000 : 10_000);
  const max = (topic: string): number => cap(topic) + 512;

  it("leaves a record that fits as it is", () => {
    const fits = record(1, { key: "k", value: "v" });
    expect(fitRecord(fits, topics, cap, max)).toBe(fits);
  });

  it("quarantines a record too large for `to`, whole, with flowzone-error and flowzone-origin", () => {
    const fitted = fitRecord(record(7, { key: "k", value: Buffer.alloc(1500), headers: { "x-trace": "t" } }), topics, cap, max);
    expect(fitted).toMatchObject({ target: "out.q", step: 1, outcome: "malformed" });
    expect(fitted.message?.value).toHaveLength(1500);
    expect(fitted.message?.headers).toMatchObject({ "x-trace": "t", "flowzone-origin": "in/0/7" });
    expect(String(fitted.message?.headers?.["flowzone-error"])).toMatch(/too large for out \(\d+ bytes as written, max\.message\.bytes 1512\)/);
    expect(fitted.audits).toHaveLength(1);
  });

  it("leaves the value out when quarantine is too small as well, keeping key and headers", () => {
    const fitted = fitRecord(record(7, { key: "k", value: Buffer.alloc(5000), headers: { "x-trace": "t" } }), topics, cap, max);
    expect(fitted).toMatchObject({ target: "out.q", step: 2, message: { key: "k", value: null } });
    expect(fitted.message?.headers?.["x-trace"]).toBe("t");
    expect(String(fitted.message?.headers?.["flowzone-error"])).toMatch(/too large for out .*; too large for out\.q .*its value \(5000 bytes\) is left out/);
  });

  it("goes down to a bare stand-in when key and headers are too large too, and leaves out only an oversized audit record's audits", () => {
    const fitted = fitRecord(record(7, { key: Buffer.alloc(3000), value: "v", headers: {} }, 1, "out.q"), topics, cap, max);
    expect(fitted).toMatchObject({ step: 3, message: { key: null, value: null } });
    expect(Object.keys(fitted.message?.headers ?? {}).sort()).toEqual(["flowzone-error", "flowzone-origin"]);
    expect(fitted.audits).toHaveLength(1);
    const auditTooLarge = { ...record(8, { key: "k", value: "v" }), audits: [{ key: "banana", value: Buffer.alloc(20_000) }] };
    expect(fitRecord(auditTooLarge, topics, cap, max)).toMatchObject({ target: "out", step: 4, audits: [] });
  });

  it("ends with nothing written, and then nothing more to take away", () => {
    let current: DecidedRecord | undefined = record(9, { key: "k", value: "v" });
    const steps: number[] = [];
    while (current !== undefined) {
      steps.push(current.step);
      current = degrade(current, topics, "refused", "unknown");
    }
    expect(steps).toEqual([0, 1, 2, 3, 4, 5]);
    const observeOnly = record(3, undefined, 2, undefined);
    expect(degrade(observeOnly, { ...topics, to: undefined, quarantine: undefined }, "refused", "unknown")).toMatchObject({ step: 4, audits: [] });
  });
});
