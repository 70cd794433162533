import { relativeTime } from "./relative-time";

const NOW = new Date("2030-01-10T12:00:00Z");
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

describe("relativeTime", () => {
  it.each([
    [null, "-"],
    [ago(2000), "just now"],
    [ago(30_000), "30s ago"],
    [ago(3 * 60_000), "3m ago"],
    [ago(89 * 60_000), "89m ago"],
    [ago(36 * 3600_000), "36h ago"],
    [ago(9 * 86400_000), "9d ago"],
    [ago(-2 * 3600_000), "in 2h"],
    ["not a time", "not a time"],
  ])("%s reads %s", (iso, text) => {
    expect(relativeTime(iso, NOW)).toBe(text);
  });
});
