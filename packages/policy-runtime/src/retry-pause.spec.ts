import { RETRY_INITIAL_MS, RETRY_JITTER, RETRY_MAX_MS, retryPauseMs } from "./retry-pause";

describe("retryPauseMs", () => {
  it.each([
    [1, RETRY_INITIAL_MS],
    [2, RETRY_INITIAL_MS * 2],
    [3, RETRY_INITIAL_MS * 4],
    [50, RETRY_MAX_MS],
  ])("pauses around the base delay after attempt %i (%i ms), within the jitter", (attempt, base) => {
    expect(retryPauseMs(attempt, () => 0)).toBe(Math.round(base * (1 - RETRY_JITTER)));
    expect(retryPauseMs(attempt, () => 1)).toBe(Math.round(base * (1 + RETRY_JITTER)));
  });
});
