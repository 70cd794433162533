import { formatDuration } from "./format-duration";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [40_000, "40s"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [5_400_000, "1h30m"],
    [3_605_000, "1h5s"],
    [86_400_000, "1d"],
    [7 * 86_400_000 + 3_600_000 + 60_000, "7d1h"],
  ])("formats %d ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
