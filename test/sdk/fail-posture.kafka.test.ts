/**
 * The decision service stopped or silent: fail open writes and records that the write went
 * unchecked; fail closed throws and writes nothing.
 */
import { createServer, type Server, type Socket } from "node:net";

import { FlowCheckUnavailableError, UNCHECKED_DECISION, type GuardedProducer } from "@flowzone/sdk";

import { uniqueTopic } from "../support/kafka";
import { captureLogger, startPdp, type Pdp } from "../pdp/pdp-harness";
import { SDK_BUNDLE, createTopics, guardedProducer, readTopic, recordCount, sleep } from "./sdk-harness";

const flow = { labels: ["pii.email"] };
const messages = [{ value: "secret-payload" }];

describe("guarded producer when the decision service is unavailable", () => {
  let pdp: Pdp;
  let open: GuardedProducer;
  let closed: GuardedProducer;
  const { logger, lines } = captureLogger();

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
    await createTopics(topic);
    expect((await open.send({ topic, messages, flow })).decision).toBe("allow");
    expect((await closed.send({ topic, messages, flow })).decision).toBe("allow");
  }, 30_000);

  it("stopped service, fail open: writes with flowzone-decision unchecked, counts it and warns without the payload", async () => {
    await pdp.stop();
    const topic = uniqueTopic("sdk-open");
    await createTopics(topic);
    const result = await open.send({ topic, messages, flow });
    expect(result).toMatchObject({ decision: "unchecked", decisionId: UNCHECKED_DECISION, violations: [] });
    const [record] = await readTopic(topic, 1);
    expect(record?.headers).toEqual({ "flowzone-labels": "pii.email", "flowzone-decision": "unchecked" });
    expect(open.stats().unchecked).toBe(1);
    const warning = lines.find((l) => l.level === 40 && String(l.msg).includes("unchecked"));
    expect(warning).toMatchObject({ sink: `kafka:${topic}`, labels: ["pii.email"] });
    expect(JSON.stringify(lines)).not.toContain("secret-payload");
  }, 30_000);

  it("stopped service, fail closed: throws FlowCheckUnavailableError and writes nothing", async () => {
    const topic = uniqueTopic("sdk-closed");
    await createTopics(topic);
    const error = await closed.send({ topic, messages, flow }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowCheckUnavailableError);
    expect(error).toMatchObject({ code: "check_unavailable" });
    await sleep(300);
    expect(await recordCount(topic)).toBe(0);
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
    await createTopics(topic);
    const started = Date.now();
    const outcome = await producer.send({ topic, messages, flow }).then((r) => r.decision, (e: unknown) => (e instanceof FlowCheckUnavailableError ? "throws" : e));
    const elapsed = Date.now() - started;
    await producer.disconnect();
    expect(outcome).toBe(expected);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(await recordCount(topic)).toBe(expected === "throws" ? 0 : 1);
  }, 30_000);
});
