import { drainCell, drainSentence } from "./drain-text";

const NOW = new Date("2026-12-01T00:00:00Z");

describe("drain forecast text", () => {
  const draining = { state: "draining", resolvedPerDay: 4, openedPerDay: 1, projectedDrainAt: "2026-12-11T00:00:00.000Z", windowDays: 7 } as const;

  it("says when a draining zone drains, and from what pace", () => {
    expect(drainCell(draining, NOW)).toBe("in 10d");
    expect(drainSentence(draining, NOW)).toBe("drains in 10d (2026-12-11T00:00:00.000Z); 4.0 resolved/day, 1.0 new/day over 7 days");
  });

  it("names the other states without a date", () => {
    const notDraining = { ...draining, state: "not_draining", resolvedPerDay: 0.5, openedPerDay: 2, projectedDrainAt: null } as const;
    expect(drainCell(notDraining, NOW)).toBe("not draining");
    expect(drainSentence(notDraining, NOW)).toBe("not draining; 0.5 resolved/day, 2.0 new/day over 7 days");
    expect(drainCell({ ...notDraining, state: "drained" }, NOW)).toBe("drained");
  });
});
