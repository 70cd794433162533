/**
 * The guarded producer deciding with a real decision service (its audit trail on the test
 * broker): what lands, what does not, how many calls a send makes, and the cache.
 */
import { FlowzoneError } from "@flowzone/errors";
import { EnforcementPoint } from "@flowzone/proto";
import { FlowDeniedError, FlowRequestError, type GuardedProducer } from "@flowzone/sdk";

import { testBrokers, uniqueTopic } from "../support/kafka";
import { createTopics } from "../support/topics";
import { startPdp, writeBundle, type Pdp } from "../pdp/pdp-harness";
import { CHECK, CHECK_BATCH, SDK_BUNDLE, awaitAuditViolations, callCounter, guardedProducer, kafka, locZone, recordsOf } from "./sdk-harness";

const messages = (n: number): { key: string; value: string }[] => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `payload-${i}` }));
/** A clean allow (no labels, no sources): the sentinel write after a refused one. */
const sentinel = { messages: [{ value: "sentinel" }], flow: { labels: [] } };

describe("guarded producer, remote decisions", () => {
  let pdp: Pdp;
  let producer: GuardedProducer;
  const counter = callCounter();
  const auditTopic = uniqueTopic("sdk-pdp-audit");

  beforeAll(async () => {
    pdp = await startPdp({ files: SDK_BUNDLE, kafka: { brokers: testBrokers(), auditTopic, controlTopic: uniqueTopic("sdk-pdp-control") } });
    producer = await guardedProducer({
      producer: "svc:sdk-test",
      decider: { mode: "remote", address: pdp.address, deadlineMs: 2_000, interceptors: [counter.interceptor] },
      cacheTtlMs: 600_000,
    });
  }, 60_000);
  afterAll(async () => {
    await producer.disconnect();
    await pdp.stop();
  });
  beforeEach(() => {
    counter.calls.clear();
  });

  it("writes nothing when the write is denied, and throws FlowDeniedError with the violations", async () => {
    const topic = uniqueTopic("sdk-outside");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: messages(2), flow: { labels: ["banana"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowDeniedError);
    const denied = error as FlowDeniedError;
    expect(denied.code).toBe("denied");
    expect(denied.sink).toBe(`kafka:${topic}`);
    expect(denied.violations).toEqual([expect.objectContaining({ zone: "banana", rule: "boundary", mode: "enforcement", enforced: true, labels: ["banana"] })]);
    expect(denied.decisionId).not.toBe("");
    // The same producer then writes an allowed record to the same topic; once it is acked, the
    // topic read to its end holds that record alone, so the refused ones were never written.
    await producer.send({ topic, ...sentinel });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
    expect(producer.stats().denied).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("writes a would-deny (logging) write with its headers and reports its violations", async () => {
    const topic = uniqueTopic("sdk-mail");
    await createTopics(kafka, [topic]);
    const result = await producer.send({ topic, messages: [{ key: "a", value: "x", headers: { own: "kept" } }], flow: { labels: ["pii.email"], purpose: "newsletter" } });
    expect(result.decision).toBe("allow");
    expect(result.violations).toEqual([expect.objectContaining({ zone: "email", rule: "boundary", mode: "logging", enforced: false })]);
    expect(result.records).toHaveLength(1);
    const [record, ...more] = await recordsOf(topic);
    expect(more).toEqual([]);
    expect(record?.headers).toEqual({
      own: "kept",
      "flowzone-labels": "pii.email",
      "flowzone-purpose": "newsletter",
      "flowzone-decision": result.decisionId,
    });
    expect(producer.stats().wouldDeny).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("makes one Check for a send of three messages, and the decision service audits it once", async () => {
    const topic = uniqueTopic("sdk-mail3");
    await createTopics(kafka, [topic]);
    const result = await producer.send({ topic, messages: messages(3), flow: { labels: ["pii.email"] } });
    expect(counter.calls.get(CHECK)).toBe(1);
    expect(counter.total()).toBe(1);
    const records = await recordsOf(topic);
    expect(records.map((r) => r.value)).toEqual(["payload-0", "payload-1", "payload-2"]);
    expect(new Set(records.map((r) => r.headers["flowzone-decision"]))).toEqual(new Set([result.decisionId]));
    // The server's own account: one violation record for this sink, from that one decision. Each
    // read goes through every partition to its end offsets, so a second record for this sink
    // written with the first would be in the read that found it.
    const audit = await awaitAuditViolations(auditTopic, `a violation record for kafka:${topic}`, (all) => all.some((r) => r.event.case === "violation" && r.event.value.sink === `kafka:${topic}`));
    const forTopic = audit.filter((r) => r.event.case === "violation" && r.event.value.sink === `kafka:${topic}`);
    expect(forTopic).toHaveLength(1);
    expect(forTopic[0]?.event.value).toMatchObject({ decisionId: result.decisionId, producer: "svc:sdk-test", enforcementPoint: EnforcementPoint.DECISION_SERVICE });
  }, 60_000);

  it("carries the producer's trace context to the decision service's audit record and onto the messages", async () => {
    const topic = uniqueTopic("sdk-traced");
    await createTopics(kafka, [topic]);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const result = await producer.send({ topic, messages: messages(1), flow: { labels: ["pii.email"], traceparent } });
    const [record, ...more] = await recordsOf(topic);
    expect(more).toEqual([]);
    expect(record?.headers["traceparent"]).toBe(traceparent);
    const audit = await awaitAuditViolations(auditTopic, `the violation record of decision ${result.decisionId}`, (all) => all.some((r) => r.event.case === "violation" && r.event.value.decisionId === result.decisionId));
    const mine = audit.find((r) => r.event.case === "violation" && r.event.value.decisionId === result.decisionId);
    expect(mine?.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  }, 60_000);

  it("refuses a malformed trace context, naming it, and writes nothing", async () => {
    const topic = uniqueTopic("sdk-badtrace");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: messages(1), flow: { labels: ["pii.email"], traceparent: "not-a-trace" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowRequestError);
    expect((error as FlowRequestError).field).toBe("flow.traceparent");
    await producer.send({ topic, ...sentinel });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
  }, 30_000);

  it("decides a sendBatch over two topics with one CheckBatch, all or nothing", async () => {
    const inside = uniqueTopic("banana-in");
    const outside = uniqueTopic("sdk-out");
    await createTopics(kafka, [inside, outside]);
    const denied = await producer
      .sendBatch([
        { topic: inside, messages: messages(2), flow: { labels: ["banana"] } },
        { topic: outside, messages: messages(2), flow: { labels: ["banana"] } },
      ])
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(FlowDeniedError);
    expect(counter.calls.get(CHECK_BATCH)).toBe(1);
    expect(counter.total()).toBe(1);

    // The same producer's allowed batch to the same topics is the signal: once it is acked, each
    // topic read to its end holds that batch's records alone, so the refused batch wrote nothing.
    counter.calls.clear();
    const results = await producer.sendBatch([
      { topic: inside, messages: messages(2), flow: { labels: ["banana"], producer: "svc:other" } },
      { topic: outside, messages: messages(1), flow: { labels: ["pii.email"], producer: "svc:other" } },
    ]);
    expect(counter.calls.get(CHECK_BATCH)).toBe(1);
    expect(results.map((r) => [r.decision, r.violations.length, r.records.length])).toEqual([["allow", 0, 1], ["allow", 1, 1]]);
    const [insideResult, outsideResult] = results;
    expect((await recordsOf(inside)).map((r) => [r.value, r.headers["flowzone-labels"], r.headers["flowzone-decision"]])).toEqual([
      ["payload-0", "banana", insideResult?.decisionId],
      ["payload-1", "banana", insideResult?.decisionId],
    ]);
    expect((await recordsOf(outside)).map((r) => [r.value, r.headers["flowzone-decision"]])).toEqual([["payload-0", outsideResult?.decisionId]]);
  }, 60_000);

  it("answers repeated writes of one shape from the cache, and drops it when the policy version changes", async () => {
    const topic = uniqueTopic("sdk-loc");
    const other = uniqueTopic("banana-x");
    await createTopics(kafka, [topic, other]);
    const flow = { labels: ["loc"] };
    await producer.send({ topic, messages: messages(1), flow });
    await producer.send({ topic, messages: messages(1), flow });
    expect(counter.total()).toBe(1);
    const drops = producer.stats().cacheDrops;

    // loc from off to enforcement: the same write is now denied, under a new policy version.
    await writeBundle(pdp.dir, { "zones/loc.yaml": locZone("enforcement") });
    await pdp.service.reload();
    // Still cached: the producer has not heard of the new version yet.
    await producer.send({ topic, messages: messages(1), flow });
    expect(counter.total()).toBe(1);
    // Any answer from the service carries the new version, which drops the cache...
    await producer.send({ topic: other, messages: messages(1), flow: { labels: ["banana"] } });
    expect(producer.stats().cacheDrops).toBe(drops + 1);
    // ...so the next write of that shape is decided again, and denied.
    await expect(producer.send({ topic, messages: messages(1), flow })).rejects.toBeInstanceOf(FlowDeniedError);
    expect(counter.total()).toBe(3);
    await producer.send({ topic, ...sentinel });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["payload-0", "payload-0", "payload-0", "sentinel"]);
    await writeBundle(pdp.dir, { "zones/loc.yaml": locZone("off") });
    await pdp.service.reload();
  }, 60_000);

  it("throws FlowRequestError naming the field and value of an undeclared label, writing nothing", async () => {
    const topic = uniqueTopic("sdk-bad");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: messages(1), flow: { labels: ["banana", "bananna"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowRequestError);
    expect(error).toMatchObject({ code: "invalid_request", field: "labels[1]", value: "bananna" });
    await producer.send({ topic, ...sentinel });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
  }, 30_000);

  it("throws FlowRequestError naming the field and the limit for more labels or sources than the decision service allows, writing nothing", async () => {
    const topic = uniqueTopic("sdk-counts");
    await createTopics(kafka, [topic]);
    const many = (n: number, item: string): string[] => Array.from({ length: n }, () => item);
    const labels = await producer.send({ topic, messages: messages(1), flow: { labels: many(65, "banana") } }).catch((e: unknown) => e);
    expect(labels).toBeInstanceOf(FlowRequestError);
    expect(labels).toMatchObject({ code: "invalid_request", field: "labels", message: expect.stringMatching(/^flowzone cannot decide this write: labels lists 65 entries; the most accepted is 64 \(maxLabels/) as unknown });
    const sources = await producer.send({ topic, messages: messages(1), flow: { labels: [], sources: many(65, "kafka:banana-events") } }).catch((e: unknown) => e);
    expect(sources).toMatchObject({ code: "invalid_request", field: "sources", message: expect.stringMatching(/sources lists 65 entries; the most accepted is 64 \(maxSources/) as unknown });
    await producer.send({ topic, ...sentinel });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
  }, 30_000);

  it("surfaces the decision service's structured detail: the field violation and the value, as the cause", async () => {
    const topic = uniqueTopic("sdk-bad-detail");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: messages(1), flow: { labels: ["banana"], sources: ["kafka:nowhere"] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowRequestError);
    const request = error as FlowRequestError;
    expect({ field: request.field, value: request.value }).toEqual({ field: "sources[0]", value: "kafka:nowhere" });
    expect(request.message).toMatch(/^flowzone cannot decide this write: sources\[0\] "kafka:nowhere" is not a declared asset/);
    expect(request.cause).toBeInstanceOf(FlowzoneError);
    const { fieldViolations, metadata } = (request.cause as FlowzoneError).details;
    expect(fieldViolations?.map((v) => [v.field, v.reason])).toEqual([["sources[0]", "UNKNOWN_SOURCE"]]);
    expect(fieldViolations?.[0]?.description).toMatch(/^sources\[0\] "kafka:nowhere" is not a declared asset/);
    expect(metadata).toEqual({ value: "kafka:nowhere" });
  }, 30_000);

  it("names the field within the write when a sendBatch carries a bad write", async () => {
    const inside = uniqueTopic("banana-in");
    await createTopics(kafka, [inside]);
    const error = await producer
      .sendBatch([
        { topic: inside, messages: messages(1), flow: { labels: ["banana"] } },
        { topic: inside, messages: messages(1), flow: { labels: ["banana", "x-undeclared"] } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowRequestError);
    expect(error).toMatchObject({ field: "labels[1]", value: "x-undeclared" });
    expect((error as FlowRequestError).cause).toMatchObject({ details: { fieldViolations: [expect.objectContaining({ field: "requests[1].labels[1]" })] } });
    await producer.send({ topic: inside, ...sentinel });
    expect((await recordsOf(inside)).map((r) => r.value)).toEqual(["sentinel"]);
  }, 30_000);
});
