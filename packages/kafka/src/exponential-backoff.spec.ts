import { backoffDelayMs, type ExponentialBackoff } from "./exponential-backoff";

const BACKOFF: ExponentialBackoff = { initialMs: 100, maxMs: 1_000, multiplier: 3, jitter: 0.25 };

describe("backoffDelayMs", () => {
  it.each([
    [1, 100],
    [2, 300],
    [3, 900],
    [4, 1_000],
    [60, 1_000],
  ])("waits around initialMs × multiplier^(attempt - 1), capped at maxMs: attempt %i, %i ms", (attempt, base) => {
    expect(backoffDelayMs(BACKOFF, attempt, () => 0.5)).toBe(base);
  });

  it("spreads each delay by the jitter either way", () => {
    expect(backoffDelayMs(BACKOFF, 2, () => 0)).toBe(225);
    expect(backoffDelayMs(BACKOFF, 2, () => 1)).toBe(375);
    expect(backoffDelayMs(BACKOFF, 60, () => 0)).toBe(750);
    expect(backoffDelayMs(BACKOFF, 60, () => 0.99999)).toBeLessThanOrEqual(1_250);
  });

  it("takes an attempt below 1 as the first", () => {
    expect(backoffDelayMs(BACKOFF, 0, () => 0.5)).toBe(100);
  });

  it("draws the jitter from Math.random by default, inside the band", () => {
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelayMs(BACKOFF, 1);
      expect(delay).toBeGreaterThanOrEqual(75);
      expect(delay).toBeLessThanOrEqual(125);
    }
  });
});
