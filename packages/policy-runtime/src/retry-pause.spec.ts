import { backoffDelayMs } from "@flowzone/kafka";

import { CONTROL_TOPIC_RETRY } from "./retry-pause";

describe("CONTROL_TOPIC_RETRY", () => {
  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [6, 10_000],
    [50, 10_000],
  ])("pauses around %i → %i ms, ±20 %: short, as each attempt already spends kafkajs' own retries", (attempt, base) => {
    expect(backoffDelayMs(CONTROL_TOPIC_RETRY, attempt, () => 0)).toBe(Math.round(base * 0.8));
    expect(backoffDelayMs(CONTROL_TOPIC_RETRY, attempt, () => 1)).toBe(Math.round(base * 1.2));
  });
});
