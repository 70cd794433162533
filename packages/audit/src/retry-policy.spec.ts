import { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, backoffMs, isRetriable } from "./retry-policy";

describe("retry policy", () => {
  it("grows exponentially to a cap, within the jitter band", () => {
    expect(backoffMs(1, () => 0.5)).toBe(BACKOFF_INITIAL_MS);
    expect(backoffMs(2, () => 0.5)).toBe(BACKOFF_INITIAL_MS * 2);
    expect(backoffMs(50, () => 0.5)).toBe(BACKOFF_MAX_MS);
    expect(backoffMs(50, () => 0)).toBe(BACKOFF_MAX_MS * 0.8);
    expect(backoffMs(50, () => 0.99999)).toBeLessThanOrEqual(BACKOFF_MAX_MS * 1.2);
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
