import type { Write } from "@flowzone/engine";
import { checkBatchSize, checkLimits } from "./check-limits";
import { DEFAULTS } from "./defaults";

const write = (labels: number, sources: number): Write => ({
  producer: "svc:a",
  sink: "kafka:b",
  labels: Array.from({ length: labels }, (_, i) => `l${i}`),
  sources: Array.from({ length: sources }, (_, i) => `kafka:s${i}`),
  purpose: "",
});

describe("checkLimits", () => {
  it("accepts writes at the limits", () => {
    expect(() => { checkLimits(write(64, 64), DEFAULTS.limits); }).not.toThrow();
    expect(() => { checkBatchSize(1000, DEFAULTS.limits); }).not.toThrow();
  });

  it.each([
    [() => { checkLimits(write(70, 0), DEFAULTS.limits); }, "labels lists 70 entries; the most accepted is 64 (maxLabels of the decision service's limits)"],
    [() => { checkLimits(write(0, 65), DEFAULTS.limits); }, "sources lists 65 entries; the most accepted is 64 (maxSources of the decision service's limits)"],
    [() => { checkBatchSize(1001, DEFAULTS.limits); }, "requests: 1001 requests exceed the limit of 1000"],
  ])("refuses over the limit: %#", (run, message) => {
    expect(run).toThrow(message);
  });
});
