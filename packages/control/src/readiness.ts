import type { Readiness } from "./control-plane";
import { formatDuration } from "./format-duration";

/** What readiness is computed from: one zone's backlog and traffic at one instant. */
export interface ReadinessInput {
  readonly nowMs: number;
  readonly quietPeriodMs: number;
  /** Open violation signatures of the zone. */
  readonly openSignatures: number;
  /** Latest violation of the zone, open, since resolved or not stored; null when it never had one. */
  readonly lastViolationAtMs: number | null;
  /** Violations not stored because their signatures were new and the zone held its limit of open ones. */
  readonly violationsNotStored: number;
  /** When the latest of those was decided; null when none. */
  readonly lastNotStoredAtMs: number | null;
  /** Decisions the zone was evaluated in during the last quiet period. */
  readonly decisionsInQuietPeriod: number;
}

/** Readiness plus `drained`, which the zone list shows on its own. */
export interface ZoneReadiness extends Readiness {
  /** No open signature, no violation seen and none left unstored for the quiet period. */
  readonly drained: boolean;
}

/**
 * Whether a zone may be flipped to enforcement, and if not, why, each reason a sentence with its
 * number. Pure, so the rule that guards every flip is a table of cases in its spec. Drained is
 * not enough to be ready: a zone that evaluated no traffic in its quiet period proves nothing.
 * Violations left unstored for want of room keep a zone from being drained for a quiet period
 * after the last one, as a violation seen does; their flows, if they go on, are stored (and
 * block as open signatures) once the zone has room again.
 */
export function computeReadiness(input: ReadinessInput): ZoneReadiness {
  const blockers: string[] = [];
  const quiet = formatDuration(input.quietPeriodMs);
  if (input.openSignatures > 0) {
    blockers.push(
      input.openSignatures === 1
        ? "1 violation signature is still open"
        : `${input.openSignatures} violation signatures are still open`,
    );
  }
  if (input.lastNotStoredAtMs !== null && input.lastNotStoredAtMs + input.quietPeriodMs > input.nowMs) {
    // Flows nobody can list: a signature the zone had no room for is an unknown violation.
    const n = input.violationsNotStored;
    blockers.push(
      `${n} violation${n === 1 ? " was" : "s were"} not stored (new signatures beyond the zone's limit of open signatures), ` +
        `the last ${formatDuration(input.nowMs - input.lastNotStoredAtMs)} ago: the zone has flows the backlog cannot list`,
    );
  }
  let quietPeriodEndsAt: Date | null = null;
  if (input.lastViolationAtMs !== null) {
    const endsAtMs = input.lastViolationAtMs + input.quietPeriodMs;
    if (endsAtMs > input.nowMs) {
      quietPeriodEndsAt = new Date(endsAtMs);
      const ago = formatDuration(input.nowMs - input.lastViolationAtMs);
      blockers.push(`last violation ${ago} ago; the quiet period is ${quiet} (${formatDuration(endsAtMs - input.nowMs)} to go)`);
    }
  }
  const drained = blockers.length === 0;
  if (input.decisionsInQuietPeriod <= 0) {
    blockers.push(`no decisions evaluated in the last ${quiet}: a zone that saw no traffic is not proven`);
  }
  return {
    ready: blockers.length === 0,
    drained,
    blockers,
    decisionsInQuietPeriod: input.decisionsInQuietPeriod,
    quietPeriodEndsAt,
  };
}
