import { DRAIN_WINDOW_DAYS, drainWindowStartMs, forecastDrain } from "./drain-forecast";

const NOW = Date.parse("2026-12-01T00:00:00Z");
const DAY = 86_400_000;

describe("forecastDrain", () => {
  it("calls a zone with no open signature drained, whatever its pace", () => {
    expect(forecastDrain({ nowMs: NOW, openSignatures: 0, openedInWindow: 14, resolvedInWindow: 0 })).toEqual({
      state: "drained",
      resolvedPerDay: 0,
      openedPerDay: 2,
      projectedDrainAt: null,
      windowDays: DRAIN_WINDOW_DAYS,
    });
  });

  it("projects the drain date from the net pace of the window", () => {
    // 28 resolved and 7 opened in 7 days: 3 a day net; 30 open signatures drain in 10 days.
    const forecast = forecastDrain({ nowMs: NOW, openSignatures: 30, openedInWindow: 7, resolvedInWindow: 28 });
    expect(forecast.state).toBe("draining");
    expect(forecast.resolvedPerDay).toBe(4);
    expect(forecast.openedPerDay).toBe(1);
    expect(forecast.projectedDrainAt).toEqual(new Date(NOW + 10 * DAY));
  });

  it("rounds the projection up to the millisecond, never promising a drain before the pace allows", () => {
    const forecast = forecastDrain({ nowMs: NOW, openSignatures: 1, openedInWindow: 0, resolvedInWindow: 3 });
    expect(forecast.projectedDrainAt?.getTime()).toBe(NOW + Math.ceil((7 / 3) * DAY));
  });

  it.each([
    ["new signatures outpace fixes", 10, 3],
    ["they keep pace", 5, 5],
    ["nothing moves", 0, 0],
  ])("is not draining, with no date, when %s", (_case, opened, resolved) => {
    const forecast = forecastDrain({ nowMs: NOW, openSignatures: 4, openedInWindow: opened, resolvedInWindow: resolved });
    expect(forecast.state).toBe("not_draining");
    expect(forecast.projectedDrainAt).toBeNull();
  });

  it("takes whole UTC days: today and the six before", () => {
    const noon = Date.UTC(2026, 10, 8, 12);
    expect(new Date(drainWindowStartMs(noon)).toISOString()).toBe("2026-11-02T00:00:00.000Z");
    expect(drainWindowStartMs(Date.UTC(2026, 10, 8))).toBe(Date.UTC(2026, 10, 8) - (DRAIN_WINDOW_DAYS - 1) * DAY);
  });
});
