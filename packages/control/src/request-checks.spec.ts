import { ControlError } from "./control-error";
import { checkException, checkFlip } from "./request-checks";

const NOW = Date.parse("2026-01-01T00:00:00Z");
const DAY_MS = 86_400_000;
const MAX = 90 * DAY_MS;
const BOUNDS = { maxLifetimeMs: MAX, maxFieldBytes: 256 };
const valid = { producer: "svc:banana-*", sink: "kafka:ads", justification: "migration", expiresAt: new Date(NOW + 60_000) };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof ControlError ? `${error.code}: ${error.message}` : "not a ControlError";
  }
}

describe("request checks", () => {
  it("accepts a flip with a reason and trims it", () => {
    expect(checkFlip({ to: "logging", reason: "  rollback ", force: false })).toEqual({ to: "logging", reason: "rollback", force: false });
  });

  it.each([
    [{ to: "strict" as never, reason: "x", force: false }, 'invalid_argument: mode "strict" is not one of off, logging, enforcement'],
    [{ to: "logging" as const, reason: "  ", force: false }, "invalid_argument: a flip needs a reason: say why the zone changes mode"],
    [{ to: "enforcement" as const, reason: "", force: true }, "invalid_argument: a forced flip needs a reason: say why the guard is bypassed"],
  ])("refuses flip %j", (request, message) => {
    expect(codeOf(() => checkFlip(request))).toBe(message);
  });

  it("accepts a valid exception", () => {
    expect(checkException(valid, NOW, BOUNDS).justification).toBe("migration");
  });

  it("accepts an exception that ends exactly at the longest lifetime, and refuses one a millisecond later, naming the limit", () => {
    expect(checkException({ ...valid, expiresAt: new Date(NOW + MAX) }, NOW, BOUNDS).expiresAt.getTime()).toBe(NOW + MAX);
    expect(codeOf(() => checkException({ ...valid, expiresAt: new Date(NOW + MAX + 1) }, NOW, BOUNDS))).toBe(
      "invalid_argument: expiresAt 2026-04-01T00:00:00.001Z is further away than the longest an exception may last, 90 days " +
        "(maxExceptionLifetime of the bundle's Defaults): choose an expiry by 2026-04-01T00:00:00.000Z and renew it if the fix takes longer",
    );
    expect(codeOf(() => checkException({ ...valid, expiresAt: new Date("9999-12-31T00:00:00Z") }, NOW, { ...BOUNDS, maxLifetimeMs: 36 * 3_600_000 }))).toContain("36 hours");
  });

  it.each([
    [{ ...valid, producer: "banana" }, 'producer "banana" is not an asset-id pattern'],
    [{ ...valid, sink: "Kafka:ads" }, 'sink "Kafka:ads" is not an asset-id pattern'],
    [{ ...valid, producer: `svc:${"p".repeat(100_000)}` }, "producer is 100004 bytes long; the longest accepted is 256 bytes (maxFieldBytes of the bundle's Defaults)"],
    [{ ...valid, justification: " " }, "an exception needs a justification"],
    [{ ...valid, expiresAt: new Date(NOW) }, "is not in the future"],
    [{ ...valid, expiresAt: new Date(Number.NaN) }, "expiresAt must be a valid time"],
  ])("refuses exception %#", (request, message) => {
    expect(codeOf(() => checkException(request, NOW, BOUNDS))).toContain(message);
  });
});
