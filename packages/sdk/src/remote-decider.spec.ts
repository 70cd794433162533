import type { FailMode, Write } from "@flowzone/engine";
import { createLogger } from "@flowzone/logging";

import { DecisionCache } from "./decision-cache";
import { DeciderUnavailable } from "./decider";
import { FlowCheckUnavailableError } from "./errors";
import { RemoteDecisionClient } from "./remote-decider";
import { WriteChecker } from "./write-checker";
import type { PostureAnswer, ZonePosture } from "./posture-answer";

const logger = createLogger({ level: "silent" });
/** Nothing listens on port 1: every call fails at once with UNAVAILABLE. */
const nowhere = { mode: "remote", address: "127.0.0.1:1", deadlineMs: 2_000, interceptors: [], followControlTopic: true, controlTopic: "control", controlVerifyKeys: "", bearerToken: "", tls: undefined } as const;
const write: Write = { producer: "svc:app", sink: "kafka:out", labels: ["card"], sources: [], purpose: "" };

/** A posture source answering `answer`, recording what it was asked. */
function zones(answer: PostureAnswer): ZonePosture & { asked: (readonly Write[])[]; closed: boolean } {
  const stub = {
    asked: [] as (readonly Write[])[],
    closed: false,
    postureOf(writes: readonly Write[]): PostureAnswer {
      stub.asked.push(writes);
      return answer;
    },
    close(): Promise<void> {
      stub.closed = true;
      return Promise.resolve();
    },
  };
  return stub;
}

async function failure(client: RemoteDecisionClient, writes: readonly Write[]): Promise<DeciderUnavailable> {
  const error = await client.decide(writes, "").then(() => undefined, (e: unknown) => e);
  await client.close();
  expect(error).toBeInstanceOf(DeciderUnavailable);
  return error as DeciderUnavailable;
}

describe("RemoteDecisionClient when the decision service is unreachable", () => {
  it("carries no posture without the control topic: the producer's failMode decides", async () => {
    const error = await failure(new RemoteDecisionClient(nowhere), [write]);
    expect(error.posture).toBeUndefined();
    expect(error.message).toMatch(/decision service at 127\.0\.0\.1:1 failed \(UNAVAILABLE\)/);
  });

  it.each<FailMode>(["closed", "open"])("carries the zones' posture %s for the writes it could not get checked, and says why", async (posture) => {
    const source = zones({ posture, reason: `zones say ${posture}` });
    const second = { ...write, labels: ["other"] };
    const error = await failure(new RemoteDecisionClient(nowhere, source), [write, second]);
    expect(error.posture).toBe(posture);
    expect(error.message).toMatch(new RegExp(`UNAVAILABLE.*; zones say ${posture}$`));
    expect(source.asked).toEqual([[write, second]]);
    expect(source.closed).toBe(true);
  });
});

describe("WriteChecker on a remote decider that cannot reach the decision service", () => {
  const check = async (answer: PostureAnswer, failMode: FailMode): Promise<string> => {
    const client = new RemoteDecisionClient(nowhere, zones(answer));
    const checker = new WriteChecker(client, new DecisionCache(0, 1_000), failMode, logger);
    try {
      const [decision] = await checker.check([write]);
      return decision?.outcome ?? "none";
    } catch (error) {
      if (error instanceof FlowCheckUnavailableError) return "fails closed";
      throw error;
    } finally {
      await client.close();
    }
  };

  it.each([
    ["a zone that fails closed wins over the producer's failMode open", { posture: "closed", reason: "r" }, "open", "fails closed"],
    ["the producer's failMode closed wins over zones that fail open", { posture: "open", reason: "r" }, "closed", "fails closed"],
    ["zones that fail open and the producer's failMode open write unchecked", { posture: "open", reason: "r" }, "open", "unchecked"],
    ["an unknown posture leaves it to the producer's failMode open", { posture: undefined, reason: "r" }, "open", "unchecked"],
    ["an unknown posture leaves it to the producer's failMode closed", { posture: undefined, reason: "r" }, "closed", "fails closed"],
  ] as const)("%s", async (_what, answer, failMode, expected) => {
    expect(await check(answer, failMode)).toBe(expected);
  });
});
