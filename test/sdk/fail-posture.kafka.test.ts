/**
 * The decision service stopped, killed or silent: fail open writes and records that the write
 * went unchecked; fail closed throws and writes nothing. A remote producer takes each zone's own
 * failMode from the bundle on the control topic (with its zone flips), and its own failMode
 * option before any bundle has been read; given verify keys, only from signed control records.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { rm, writeFile } from "node:fs/promises";

import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { controlKeyId, signControlRecord } from "@flowzone/kafka";
import { ControlRecordSchema, Mode } from "@flowzone/proto";
import { FlowCheckUnavailableError, UNCHECKED_DECISION, type GuardedProducer, type GuardedRecord } from "@flowzone/sdk";

import { uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { decisionServicePort, TestProcess } from "../support/processes";
import { step } from "../support/steps";
import { createTopics, produce } from "../support/topics";
import { startPdp, writeBundle, type Pdp } from "../pdp/pdp-harness";
import { SDK_BUNDLE, emailZone, guardedProducer, kafka, recordsOf, tempDir } from "./sdk-harness";

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

describe("guarded producer while its connection to the decision service is failing", () => {
  let pdp: Pdp | undefined;
  afterAll(async () => {
    await pdp?.stop();
  });

  it("starts no call per send meanwhile, and decides again once the service listens", async () => {
    const port = await freePort();
    let calls = 0;
    const counting: grpc.Interceptor = (options, next) => {
      calls += 1;
      return new grpc.InterceptingCall(next(options));
    };
    const producer = await guardedProducer({
      producer: "svc:sdk-test",
      decider: { mode: "remote", address: `127.0.0.1:${port}`, deadlineMs: 300, interceptors: [counting], followControlTopic: false },
      failMode: "open",
      cacheMaxEntries: 0,
    });
    try {
      const topic = uniqueTopic("sdk-reconnect");
      await createTopics(kafka, [topic]);
      const decisions: string[] = [];
      for (let i = 0; i < 50; i++) decisions.push((await producer.send({ topic, messages, flow })).decision);
      expect(new Set(decisions)).toEqual(new Set(["unchecked"]));
      // grpc-js retries the connection on its own backoff (1 s at first); between its attempts a send fails over at once.
      expect(calls).toBeLessThanOrEqual(3);

      pdp = await startPdp({ files: SDK_BUNDLE, port });
      await waitUntil("a decided send", () => producer.send({ topic, messages, flow }).then((r) => r.decision), (decision) => decision === "allow", { timeoutMs: 20_000, intervalMs: 100 });
    } finally {
      await producer.disconnect();
    }
  }, 60_000);
});

describe("guarded producer after a long outage of the decision service", () => {
  let pdp: Pdp | undefined;
  afterAll(async () => {
    await pdp?.stop();
  });

  it("decides again within seconds of the service's return, not after grpc-js's default backoff of up to two minutes", async () => {
    const port = await freePort();
    const producer = await guardedProducer({
      producer: "svc:sdk-test",
      decider: { mode: "remote", address: `127.0.0.1:${port}`, deadlineMs: 300, followControlTopic: false },
      failMode: "open",
      cacheMaxEntries: 0,
    });
    try {
      const topic = uniqueTopic("sdk-outage");
      await createTopics(kafka, [topic]);
      // 25 s down: grpc-js's attempts, 1 s apart at first and 1.6× longer each time, are 10 to 17 s
      // apart by then under its default cap, and at most 5 s (give or take a fifth) under the decider's.
      const downUntil = Date.now() + 25_000;
      while (Date.now() < downUntil) {
        expect((await producer.send({ topic, messages, flow })).decision).toBe("unchecked");
        await delay(500);
      }
      pdp = await startPdp({ files: SDK_BUNDLE, port });
      await waitUntil("a decided send within 9 s of the service listening", () => producer.send({ topic, messages, flow }).then((r) => r.decision), (decision) => decision === "allow", { timeoutMs: 9_000, intervalMs: 100 });
    } finally {
      await producer.disconnect();
    }
  }, 90_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const bound = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof bound === "object" && bound !== null ? bound.port : 0;
}

/**
 * SDK_BUNDLE and zone card (enforcement, members kafka:payments-*), each zone failing as told:
 * the bundle the control plane would push.
 */
function postureBundle(failModes: { readonly card: "open" | "closed"; readonly email: "open" | "closed" }): Record<string, string> {
  return {
    ...SDK_BUNDLE,
    "zones/email.yaml": emailZone(failModes.email),
    "card.yaml": `kind: Label
name: card
description: Card numbers
---
kind: Zone
name: card
description: Card numbers stay in payments
protects: [card]
members: [kafka:payments-*]
mode: enforcement
failMode: ${failModes.card}
`,
  };
}


describe("a remote producer when the decision service is killed: each zone's own failMode, from the control topic", () => {
  const controlTopic = uniqueTopic("sdk-posture-control");
  const { logger, lines } = collectingLogger("info");
  const card = { labels: ["card"] };
  const email = { labels: ["pii.email"] };
  let dir: string;
  let pdp: TestProcess;
  let producer: GuardedProducer;
  let epoch = 0n;

  /** Publishes one control record, as the control plane does, at the next epoch. */
  const publish = async (key: string, item: MessageInitShape<typeof ControlRecordSchema>["item"]): Promise<void> => {
    epoch += 1n;
    await produce(kafka, controlTopic, [{ key, value: Buffer.from(toBinary(ControlRecordSchema, create(ControlRecordSchema, { epoch, item }))) }]);
  };
  const pushBundle = (version: string, files: Record<string, string>): Promise<void> => publish("bundle", { case: "bundle", value: { version, files } });

  /** What a dry run of the write gives now: the decision's outcome, or "fails closed". */
  const dryRun = (record: GuardedRecord): Promise<string> =>
    producer.check(record).then(
      (decision) => decision.outcome,
      (error: unknown) => (error instanceof FlowCheckUnavailableError ? "fails closed" : Promise.reject(error instanceof Error ? error : new Error(String(error)))),
    );
  /** Waits until the producer has taken in what the control topic now says about `record`. */
  const awaitPosture = (flow: { labels: string[] }, outcome: "unchecked" | "fails closed"): Promise<string> =>
    waitUntil(`a dry run of a ${flow.labels.join(",")} write to give "${outcome}"`, () => dryRun({ topic: "any", messages: [], flow }), (seen) => seen === outcome, { timeoutMs: 20_000, intervalMs: 100 });

  beforeAll(async () => {
    dir = await tempDir("flowzone-sdk-posture-");
    await writeBundle(join(dir, "policy"), postureBundle({ card: "closed", email: "open" }));
    await createTopics(kafka, [controlTopic], { config: { "cleanup.policy": "compact" } });
    pdp = TestProcess.flowzone("flowzone pdp", ["pdp", "--policy", join(dir, "policy"), "--port", "0", "--metrics-port", "0"], { env: { FLOWZONE_LOG_FORMAT: "json" } });
    await pdp.waitFor('its "decision service listening" log line', () => decisionServicePort(pdp.stdout) !== undefined, 20_000);
    // The producer option is left at its default, open.
    producer = await guardedProducer({
      producer: "svc:sdk-test",
      decider: { mode: "remote", address: `127.0.0.1:${decisionServicePort(pdp.stdout) ?? 0}`, deadlineMs: 300, controlTopic },
      cacheMaxEntries: 0,
      logger,
    });
  }, 60_000);
  afterAll(async () => {
    await producer.disconnect();
    await pdp.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it("follows each zone's failMode from the control topic once the decision service is killed, as bundles and flips arrive", async () => {
    await step("while the service answers, a write in a zone failing closed is decided by it alone", async () => {
      const topic = uniqueTopic("payments");
      await createTopics(kafka, [topic]);
      const result = await producer.send({ topic, messages: [{ value: "in-zone" }], flow: card });
      expect(result.decision).toBe("allow");
      expect(producer.stats()).toMatchObject({ decisionCalls: 1, allowed: 1, unchecked: 0, failedClosed: 0 });
    });

    await step("killed, before any bundle on the control topic: the producer's failMode (open) applies, so the write goes unchecked", async () => {
      await pdp.kill();
      const topic = uniqueTopic("sdk-posture-none");
      await createTopics(kafka, [topic]);
      const result = await producer.send({ topic, messages: [{ value: "card-1" }], flow: card });
      expect(result).toMatchObject({ decision: "unchecked", decisionId: UNCHECKED_DECISION });
      expect((await recordsOf(topic)).map((r) => [r.value, r.headers["flowzone-decision"]])).toEqual([["card-1", "unchecked"]]);
      expect(lines.some((l) => l.msg === "no policy bundle on the control topic yet: until one arrives, a write the decision service cannot check takes the producer's failMode")).toBe(true);
    });

    await step("a bundle pushed on the control topic: zone card (failMode closed) fails closed and nothing is written; zone email (open) goes unchecked", async () => {
      await pushBundle("sha256:posture-1", postureBundle({ card: "closed", email: "open" }));
      await awaitPosture(card, "fails closed");
      const before = producer.stats();
      const topic = uniqueTopic("sdk-posture-closed");
      await createTopics(kafka, [topic]);

      const error = await producer.send({ topic, messages: [{ value: "card-secret" }], flow: card }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlowCheckUnavailableError);
      expect(error).toMatchObject({ code: "check_unavailable", message: expect.stringMatching(/fails closed; nothing was written: decision service at .* failed \(UNAVAILABLE\).*; a zone it touches fails closed \(policy sha256:[0-9a-f]+@1\)/) as unknown });
      // The same producer then writes an email record to the same topic, unchecked: once it is acked,
      // the topic read to its end offsets holds that record alone, so the card record never left.
      const result = await producer.send({ topic, messages: [{ value: "email-1" }], flow: email });
      expect(result).toMatchObject({ decision: "unchecked", decisionId: UNCHECKED_DECISION, violations: [] });
      expect(await recordsOf(topic)).toEqual([{ value: "email-1", headers: { "flowzone-labels": "pii.email", "flowzone-decision": "unchecked" } }]);
      expect(producer.stats()).toMatchObject({ failedClosed: before.failedClosed + 1, unchecked: before.unchecked + 1 });
      expect(JSON.stringify(lines)).not.toContain("card-secret");
    }, { timeoutMs: 45_000 });

    await step("a zone flip on the control topic (card off) takes effect for the next unchecked send", async () => {
      await publish("zone/card", { case: "zoneMode", value: { zone: "card", mode: Mode.OFF } });
      await awaitPosture(card, "unchecked");
      const topic = uniqueTopic("sdk-posture-off");
      await createTopics(kafka, [topic]);
      expect((await producer.send({ topic, messages: [{ value: "card-2" }], flow: card })).decision).toBe("unchecked");
      expect((await recordsOf(topic)).map((r) => [r.value, r.headers["flowzone-decision"]])).toEqual([["card-2", "unchecked"]]);
    }, { timeoutMs: 45_000 });

    await step("a new bundle making zone email fail closed takes effect for the next send: it throws, and nothing is written", async () => {
      await pushBundle("sha256:posture-2", postureBundle({ card: "closed", email: "closed" }));
      await awaitPosture(email, "fails closed");
      const topic = uniqueTopic("sdk-posture-email");
      await createTopics(kafka, [topic]);
      const error = await producer.send({ topic, messages: [{ value: "email-2" }], flow: email }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlowCheckUnavailableError);
      expect((error as Error).message).toMatch(/a zone it touches fails closed \(policy sha256:[0-9a-f]+@3\)/);
      // Card stays off (the flip outlives the new bundle): still written unchecked.
      expect((await producer.send({ topic, messages: [{ value: "card-3" }], flow: card })).decision).toBe("unchecked");
      // Disconnecting waits for any request still in flight: after it, the topic read to its end
      // offsets holds everything this producer sent there.
      await producer.disconnect();
      expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["card-3"]);
    }, { timeoutMs: 45_000 });
  }, 240_000);
});

describe("a remote producer given control verify keys: a forged control record does not change its fail posture", () => {
  const controlTopic = uniqueTopic("sdk-posture-signed");
  const { logger, lines } = collectingLogger("info");
  const card = { labels: ["card"] };
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const signingKey = { keyId: controlKeyId(privateKey), privateKey };
  let dir: string;
  let producer: GuardedProducer;
  let epoch = 0n;

  /** One control record at the next epoch, signed by the control plane's key unless `forged`. */
  const publish = async (key: string, item: MessageInitShape<typeof ControlRecordSchema>["item"], forged = false): Promise<void> => {
    epoch += 1n;
    const value = Buffer.from(toBinary(ControlRecordSchema, create(ControlRecordSchema, { epoch, item })));
    const headers = forged ? {} : signControlRecord(signingKey, { topic: controlTopic, key: Buffer.from(key), value });
    await produce(kafka, controlTopic, [{ key, value, headers }]);
  };
  const dryRun = (): Promise<string> =>
    producer.check({ topic: "any", messages: [], flow: card }).then(
      (decision) => decision.outcome,
      (error: unknown) => (error instanceof FlowCheckUnavailableError ? "fails closed" : Promise.reject(error instanceof Error ? error : new Error(String(error)))),
    );
  const awaitPosture = (outcome: "unchecked" | "fails closed"): Promise<string> =>
    waitUntil(`a dry run of a card write to give "${outcome}"`, dryRun, (seen) => seen === outcome, { timeoutMs: 20_000, intervalMs: 100 });

  beforeAll(async () => {
    dir = await tempDir("flowzone-sdk-signed-");
    const keyFile = join(dir, "control.pub.pem");
    await writeFile(keyFile, publicKey.export({ type: "spki", format: "pem" }));
    await createTopics(kafka, [controlTopic], { config: { "cleanup.policy": "compact" } });
    await publish("bundle", { case: "bundle", value: { version: "sha256:signed-1", files: postureBundle({ card: "closed", email: "open" }) } });
    // No decision service listens at port 1: every check is unavailable, so the zones' posture decides.
    producer = await guardedProducer({
      producer: "svc:sdk-test",
      decider: { mode: "remote", address: "127.0.0.1:1", deadlineMs: 300, controlTopic, controlVerifyKeys: keyFile },
      cacheMaxEntries: 0,
      logger,
    });
  }, 60_000);
  afterAll(async () => {
    await producer.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  it("skips the forged bundle and flip with an error line and keeps failing closed; a signed flip applies", async () => {
    await awaitPosture("fails closed");
    await publish("bundle", { case: "bundle", value: { version: "sha256:forged", files: postureBundle({ card: "open", email: "open" }) } }, true);
    await publish("zone/card", { case: "zoneMode", value: { zone: "card", mode: Mode.OFF } }, true);
    await waitUntil("both forged records to be rejected", () => lines.filter((l) => String(l.msg).startsWith("control record rejected (unsigned)")), (seen) => seen.length === 2, { timeoutMs: 20_000 });
    expect(await dryRun()).toBe("fails closed");
    await publish("zone/card", { case: "zoneMode", value: { zone: "card", mode: Mode.OFF } });
    await awaitPosture("unchecked");
  }, 60_000);
});
