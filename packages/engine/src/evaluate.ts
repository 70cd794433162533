import type { CompiledBundle, CompiledZone, SinkInfo } from "./compiled-bundle";
import { MODES } from "./modes";
import type { RuntimeOverlay } from "./runtime-overlay";
import { ENFORCEMENT, OFF, excepted } from "./runtime-overlay";
import type { Decision, Violation, Write } from "./types";

/** The decision of every write that violates nothing: shared and frozen, so allowing allocates nothing. */
export const ALLOW: Decision = Object.freeze({ allow: true, violations: Object.freeze([]) });

/**
 * Decides a write (docs/reference/evaluation.md): zones touched by its labels, then per zone the boundary
 * rule and the extra rules whose effective mode is not off. Violations come in bundle order,
 * boundary first. `nowMs` undefined means "now", read only when an exception must be checked.
 */
export function evaluate(index: CompiledBundle, overlay: RuntimeOverlay, write: Write, nowMs: number | undefined): Decision {
  const count = index.touch(write);
  if (count === 0) return ALLOW;
  const info = index.sink;
  const slotModes = overlay.slotModes;
  let found = 0;
  let firstSlot = 0;
  let allow = true;
  for (let t = 0; t < count; t++) {
    const zone = index.zones[index.touched[t] ?? 0];
    if (zone === undefined) continue;
    const mode = slotModes[zone.slot] ?? OFF;
    if (mode !== OFF) index.zoneDecisions[zone.index] = (index.zoneDecisions[zone.index] ?? 0) + 1;
    if (mode !== OFF && breaksBoundary(index, overlay, zone, info, write, nowMs)) {
      if (found === 0) firstSlot = zone.slot;
      foundViolations[found++] = violation(index, info, zone, "boundary", mode, zone.slot, index.boundaryReason(info, zone));
      if (mode === ENFORCEMENT) allow = false;
    }
    const rules = zone.rules;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      const slot = zone.slot + 1 + r;
      const ruleMode = slotModes[slot] ?? OFF;
      if (rule !== undefined && ruleMode !== OFF && index.isDenied(info, rule, slot)) {
        if (found === 0) firstSlot = slot;
        foundViolations[found++] = violation(index, info, zone, rule.rule.name, ruleMode, slot, index.denyReason(info, zone, rule, slot));
        if (ruleMode === ENFORCEMENT) allow = false;
      }
    }
  }
  if (found === 0) return ALLOW;
  const first = foundViolations[0];
  if (found === 1 && first !== undefined) return singleViolation(info, firstSlot, first);
  return { allow, violations: foundViolations.slice(0, found) };
}

/**
 * The violations of the write being decided, gathered here and then copied to a list of their
 * exact length (evaluation is synchronous and not reentrant, as the index's scratch arrays are).
 * What it holds after a decision (at most the largest decision's violations) stays until later decisions overwrite it.
 */
const foundViolations: Violation[] = [];

/**
 * The decision whose only violation is `found` (of rule `slot`): the sink keeps the last one per
 * slot, frozen, and reuses it while the violation recurs, so a recurring single-rule decision
 * allocates nothing. Its `allow` follows from the violation: a deny exactly when it is enforced.
 */
function singleViolation(info: SinkInfo, slot: number, found: Violation): Decision {
  const last = info.decisions[slot];
  if (last !== undefined && last.violations[0] === found) return last;
  const made: Decision = Object.freeze({ allow: !found.enforced, violations: Object.freeze([found]) });
  info.decisions[slot] = made;
  return made;
}

function breaksBoundary(
  index: CompiledBundle,
  overlay: RuntimeOverlay,
  zone: CompiledZone,
  info: SinkInfo,
  write: Write,
  nowMs: number | undefined,
): boolean {
  if (index.isMember(info, zone)) return false;
  if (write.purpose !== "" && zone.purposes.has(write.purpose)) return false;
  const exceptions = overlay.exceptions[zone.index];
  return exceptions === undefined || !excepted(exceptions, write.producer, write.sink, nowMs ?? Date.now());
}

/**
 * The violation of a rule (by slot) for the current write's sink. The same sink, mode and carried
 * labels give the same violation, so the last one per sink and slot is kept, frozen, and reused:
 * a recurring violation allocates nothing, and its consumers (the decision service's encoder)
 * can recognise it.
 */
function violation(index: CompiledBundle, info: SinkInfo, zone: CompiledZone, rule: string, mode: number, slot: number, reason: string): Violation {
  const labels = index.carriedLabels(zone);
  const modeName = MODES[mode] ?? "off";
  const last = info.violations[slot];
  // The reason is the sink's memo for this slot, so only mode and labels can differ.
  if (last !== undefined && last.mode === modeName && last.labels === labels) return last;
  const made: Violation = Object.freeze({
    zone: zone.zone.name,
    rule,
    mode: modeName,
    enforced: mode === ENFORCEMENT,
    failMode: index.slotFailModes[slot] ?? "open",
    labels,
    reason,
  });
  info.violations[slot] = made;
  return made;
}
