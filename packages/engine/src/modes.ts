import type { FailMode, Mode, RuleMode } from "./types";

/** Zone modes, least strict first: their index is their strictness. */
export const MODES: readonly Mode[] = ["off", "logging", "enforcement"];

/** Rule modes: a zone mode or `inherit`, which adds no constraint. */
export const RULE_MODES: readonly RuleMode[] = ["inherit", "off", "logging", "enforcement"];

/** Fail postures. */
export const FAIL_MODES: readonly FailMode[] = ["open", "closed"];

const RANK: Readonly<Record<Mode, number>> = { off: 0, logging: 1, enforcement: 2 };

/**
 * The effective mode of a rule: the least strict of the master switch, the zone's mode and the
 * rule's own mode. A rule can only loosen its zone, never make a logging zone enforce.
 * `ruleMode` is undefined for the boundary rule, which has no dial of its own.
 */
export function effectiveMode(enabled: boolean, zoneMode: Mode, ruleMode: RuleMode | undefined): Mode {
  if (!enabled) return "off";
  if (ruleMode === undefined || ruleMode === "inherit") return zoneMode;
  return RANK[ruleMode] < RANK[zoneMode] ? ruleMode : zoneMode;
}

/** The fail posture of a rule: the most specific value set wins (rule, then zone, then Defaults). */
export function resolveFailMode(
  rule: FailMode | undefined,
  zone: FailMode | undefined,
  defaults: FailMode,
): FailMode {
  return rule ?? zone ?? defaults;
}
