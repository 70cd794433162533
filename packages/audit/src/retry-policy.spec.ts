import { backoffDelayMs } from "@flowzone/kafka";

import { AUDIT_BACKOFF, isRetriable } from "./retry-policy";

describe("retry policy", () => {
  it("backs off from 100 ms, doubling to a 5 s cap, ±20 %: quick after a blip, gentle on a broker that stays down", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((attempt) => backoffDelayMs(AUDIT_BACKOFF, attempt, () => 0.5))).toEqual([100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000]);
    expect(backoffDelayMs(AUDIT_BACKOFF, 50, () => 0)).toBe(4_000);
    expect(backoffDelayMs(AUDIT_BACKOFF, 50, () => 1)).toBe(6_000);
  });

  it.each([
    [{ name: "KafkaJSConnectionError", retriable: true }, true],
    [{ name: "KafkaJSNumberOfRetriesExceeded", retriable: false, cause: { name: "KafkaJSConnectionError", retriable: true } }, true],
    [{ name: "KafkaJSNumberOfRetriesExceeded", retriable: false, cause: { name: "KafkaJSProtocolError", retriable: false } }, false],
    [{ name: "KafkaJSProtocolError", retriable: false }, false],
    [new TypeError("a bug"), false],
    ["a string", false],
  ])("classifies %j as retriable: %p", (error, expected) => {
    expect(isRetriable(error)).toBe(expected);
  });
});
