/**
 * The decision service stopped or silent: fail open writes and records that the write went
 * unchecked; fail closed throws and writes nothing.
 */
import { createServer, type Server, type Socket } from "node:net";

import { FlowCheckUnavailableError, UNCHECKED_DECISION, type GuardedProducer } from "@flowzone/sdk";

import { uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { createTopics } from "../support/topics";
import { startPdp, type Pdp } from "../pdp/pdp-harness";
import { SDK_BUNDLE, guardedProducer, kafka, recordsOf } from "./sdk-harness";

const flow = { labels: ["pii.email"] };
const messages = [{ value: "secret-payload" }];

describe("guarded producer when the decision service is unavailable", () => {
  let pdp: Pdp;
  let open: GuardedProducer;
  let closed: GuardedProducer;
  const { logger, lines } = collectingLogger("debug");

  beforeAll(async () => {
    pdp = await startPdp({ files: SDK_BUNDLE });
    const decider = { mode: "remote", address: pdp.address, deadlineMs: 300 } as const;
    open = await guardedProducer({ producer: "svc:sdk-test", decider, failMode: "open", logger, cacheMaxEntries: 0 });
    closed = await guardedProducer({ producer: "svc:sdk-test", decider, failMode: "closed", cacheMaxEntries: 0 });
  }, 60_000);
  afterAll(async () => {
    await open.disconnect();
    await closed.disconnect();
  });

  it("decides normally while the service is up", async () => {
    const topic = uniqueTopic("sdk-up");
    await createTopics(kafka, [topic]);
    expect((await open.send({ topic, messages, flow })).decision).toBe("allow");
    expect((await closed.send({ topic, messages, flow })).decision).toBe("allow");
  }, 30_000);

  it("stopped service, fail open: writes with flowzone-decision unchecked, counts it and warns without the payload", async () => {
    await pdp.stop();
    const topic = uniqueTopic("sdk-open");
    await createTopics(kafka, [topic]);
    const result = await open.send({ topic, messages, flow });
    expect(result).toMatchObject({ decision: "unchecked", decisionId: UNCHECKED_DECISION, violations: [] });
    const [record, ...more] = await recordsOf(topic);
    expect(more).toEqual([]);
    expect(record?.value).toBe("secret-payload");
    expect(record?.headers).toEqual({ "flowzone-labels": "pii.email", "flowzone-decision": "unchecked" });
    expect(open.stats().unchecked).toBe(1);
    const warning = lines.find((l) => l.level === 40 && String(l.msg).includes("unchecked"));
    expect(warning).toMatchObject({ sink: `kafka:${topic}`, labels: ["pii.email"] });
    expect(JSON.stringify(lines)).not.toContain("secret-payload");
  }, 30_000);

  it("stopped service, fail closed: throws FlowCheckUnavailableError and writes nothing", async () => {
    const topic = uniqueTopic("sdk-closed");
    await createTopics(kafka, [topic]);
    const error = await closed.send({ topic, messages, flow }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowCheckUnavailableError);
    expect(error).toMatchObject({ code: "check_unavailable" });
    // With the service down this producer cannot write at all, so no sentinel of its own can
    // follow; disconnecting it waits for any request still in flight, and after that the topic
    // read to its end offsets holds everything it ever sent there.
    await closed.disconnect();
    expect(await recordsOf(topic)).toEqual([]);
    expect(closed.stats().failedClosed).toBe(1);
  }, 30_000);
});

describe("guarded producer when the decision service does not answer within the deadline", () => {
  let silent: Server;
  let address: string;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never says a word: every call runs into its deadline.
    silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const bound = silent.address();
    address = `127.0.0.1:${typeof bound === "object" && bound !== null ? bound.port : 0}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it.each([
    ["open", "unchecked"],
    ["closed", "throws"],
  ] as const)("fail %s: %s after the deadline", async (failMode, expected) => {
    const producer = await guardedProducer({ producer: "svc:sdk-test", decider: { mode: "remote", address, deadlineMs: 150 }, failMode });
    const topic = uniqueTopic(`sdk-late-${failMode}`);
    await createTopics(kafka, [topic]);
    const started = Date.now();
    const outcome = await producer.send({ topic, messages, flow }).then((r) => r.decision, (e: unknown) => (e instanceof FlowCheckUnavailableError ? "throws" : e));
    const elapsed = Date.now() - started;
    // Disconnecting waits for any request still in flight: after it, the topic read to its end
    // offsets holds everything this producer sent there.
    await producer.disconnect();
    expect(outcome).toBe(expected);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect((await recordsOf(topic)).map((r) => [r.value, r.headers["flowzone-decision"]])).toEqual(expected === "throws" ? [] : [["secret-payload", "unchecked"]]);
  }, 30_000);
});
