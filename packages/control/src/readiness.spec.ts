import { computeReadiness, type ReadinessInput } from "./readiness";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const base: ReadinessInput = { nowMs: NOW, quietPeriodMs: 60_000, openSignatures: 0, lastViolationAtMs: null, decisionsInQuietPeriod: 10, violationsNotStored: 0, lastNotStoredAtMs: null };

describe("computeReadiness", () => {
  it.each<[string, Partial<ReadinessInput>, { ready: boolean; drained: boolean; blockers: string[]; endsAt: number | null }]>([
    ["a quiet zone with traffic and no history is ready", {}, { ready: true, drained: true, blockers: [], endsAt: null }],
    [
      "open signatures block, counted",
      { openSignatures: 3, lastViolationAtMs: NOW - 120_000 },
      { ready: false, drained: false, blockers: ["3 violation signatures are still open"], endsAt: null },
    ],
    [
      "one open signature reads in the singular",
      { openSignatures: 1, lastViolationAtMs: NOW - 120_000 },
      { ready: false, drained: false, blockers: ["1 violation signature is still open"], endsAt: null },
    ],
    [
      "a violation inside the quiet period blocks and says when it ends",
      { lastViolationAtMs: NOW - 40_000 },
      { ready: false, drained: false, blockers: ["last violation 40s ago; the quiet period is 1m (20s to go)"], endsAt: NOW + 20_000 },
    ],
    [
      "a violation exactly one quiet period ago no longer blocks",
      { lastViolationAtMs: NOW - 60_000 },
      { ready: true, drained: true, blockers: [], endsAt: null },
    ],
    [
      "violations left unstored in the quiet period keep the zone from being drained, counted",
      { openSignatures: 0, lastViolationAtMs: NOW - 30_000, violationsNotStored: 7, lastNotStoredAtMs: NOW - 30_000 },
      {
        ready: false,
        drained: false,
        blockers: [
          "7 violations were not stored (new signatures beyond the zone's limit of open signatures), the last 30s ago: the zone has flows the backlog cannot list",
          "last violation 30s ago; the quiet period is 1m (30s to go)",
        ],
        endsAt: NOW + 30_000,
      },
    ],
    [
      "violations left unstored a quiet period ago no longer block",
      { lastViolationAtMs: NOW - 60_000, violationsNotStored: 1, lastNotStoredAtMs: NOW - 60_000 },
      { ready: true, drained: true, blockers: [], endsAt: null },
    ],
    [
      "drained without traffic is not proven",
      { decisionsInQuietPeriod: 0 },
      { ready: false, drained: true, blockers: ["no decisions evaluated in the last 1m: a zone that saw no traffic is not proven"], endsAt: null },
    ],
    [
      "every blocker is listed at once",
      { openSignatures: 2, lastViolationAtMs: NOW - 5_000, decisionsInQuietPeriod: 0, quietPeriodMs: 86_400_000 },
      {
        ready: false,
        drained: false,
        blockers: [
          "2 violation signatures are still open",
          "last violation 5s ago; the quiet period is 1d (23h59m to go)",
          "no decisions evaluated in the last 1d: a zone that saw no traffic is not proven",
        ],
        endsAt: NOW - 5_000 + 86_400_000,
      },
    ],
  ])("%s", (_name, input, expected) => {
    const readiness = computeReadiness({ ...base, ...input });
    expect(readiness.ready).toBe(expected.ready);
    expect(readiness.drained).toBe(expected.drained);
    expect(readiness.blockers).toEqual(expected.blockers);
    expect(readiness.quietPeriodEndsAt?.getTime() ?? null).toBe(expected.endsAt);
  });

  it("reports the decisions it was given", () => {
    expect(computeReadiness({ ...base, decisionsInQuietPeriod: 42 }).decisionsInQuietPeriod).toBe(42);
  });
});
