/** How far back the burn-down pace is measured: a week evens out weekends and on-call rotations. */
export const DRAIN_WINDOW_DAYS = 7;

const DAY_MS = 86_400_000;

/** Whether a zone's backlog is shrinking. */
export type DrainState = "drained" | "draining" | "not_draining";

/** A zone's burn-down pace and where it leads (docs/reference/http-api.md, `drain`). */
export interface DrainForecast {
  readonly state: DrainState;
  /** Signatures resolved per day over the window (fixed, exception or policy change). */
  readonly resolvedPerDay: number;
  /** Signatures opened per day over the window: first seen, or seen again after being resolved. */
  readonly openedPerDay: number;
  /** When the open signatures reach zero at that pace; null unless draining. */
  readonly projectedDrainAt: Date | null;
  readonly windowDays: number;
}

/** What the forecast is computed from: one zone's backlog counts over the last window. */
export interface DrainInput {
  readonly nowMs: number;
  readonly openSignatures: number;
  /** Signatures that opened in the window (first seen or reopened). */
  readonly openedInWindow: number;
  /** Signatures resolved in the window. */
  readonly resolvedInWindow: number;
}

/**
 * Projects a zone's drain date linearly from the last {@link DRAIN_WINDOW_DAYS} days: open
 * signatures divided by the net pace (resolved minus opened per day). Pure, so the rule is a table
 * of cases in its spec. A signature fixed and then reopened in the window counts as resolved and
 * as opened, so it adds nothing to the net pace: its fix did not hold. The window is whole UTC
 * days (today and the six before), as the store keeps the counts. With no open signature the zone is drained whatever
 * the pace; with a net pace of zero or less it is not draining and no date is given, because
 * none would come.
 */
export function forecastDrain(input: DrainInput): DrainForecast {
  const resolvedPerDay = input.resolvedInWindow / DRAIN_WINDOW_DAYS;
  const openedPerDay = input.openedInWindow / DRAIN_WINDOW_DAYS;
  const pace = { resolvedPerDay, openedPerDay, windowDays: DRAIN_WINDOW_DAYS };
  if (input.openSignatures === 0) return { state: "drained", ...pace, projectedDrainAt: null };
  const netPerDay = resolvedPerDay - openedPerDay;
  if (netPerDay <= 0) return { state: "not_draining", ...pace, projectedDrainAt: null };
  return { state: "draining", ...pace, projectedDrainAt: new Date(input.nowMs + Math.ceil((input.openSignatures / netPerDay) * DAY_MS)) };
}

/** Where the window starts at `nowMs`: the start of the UTC day six days before today's. */
export function drainWindowStartMs(nowMs: number): number {
  return (Math.floor(nowMs / DAY_MS) - (DRAIN_WINDOW_DAYS - 1)) * DAY_MS;
}
