import { parseDurationMs } from "./duration";

describe("parseDurationMs", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["24h", 86_400_000],
    ["7d", 604_800_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1m30s500ms", 90_500],
    ["0", 0],
    ["0s", 0],
    ["2000us", 2],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(["", "24", "1y", "h", "-5m", "+5m", "1h 30m", "1.h.5", "24H", "1e3s", "five minutes"])(
    "%j is malformed",
    (text) => {
      expect(parseDurationMs(text)).toBeUndefined();
    },
  );
});
