import type { Readiness } from "./control-plane";
import { formatDuration } from "./format-duration";

/** What readiness is computed from: one zone's backlog and traffic at one instant. */
export interface ReadinessInput {
  readonly nowMs: number;
  readonly quietPeriodMs: number;
  /** Open violation signatures of the zone. */
  readonly openSignatures: number;
  /** Latest violation of the zone, open or since resolved; null when it never had one. */
  readonly lastViolationAtMs: number | null;
  /** Decisions the zone was evaluated in during the last quiet period. */
  readonly decisionsInQuietPeriod: number;
}

/** Readiness plus `drained`, which the zone list shows on its own. */
export interface ZoneReadiness extends Readiness {
  /** No open signature and none seen for the quiet period. */
  readonly drained: boolean;
}

/**
 * Whether a zone may be flipped to enforcement, and if not, why, each reason a sentence with its
 * number. Pure, so the rule that guards every flip is a table of cases in its spec. Drained is
 * not enough to be ready: a zone that evaluated no traffic in its quiet period proves nothing.
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
