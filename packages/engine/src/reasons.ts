import type { Zone, ZoneRule } from "./types";

/**
 * Reasons are read by the producer's engineer in an error or an audit record: each says which
 * sink, why it is not allowed and what to do about it, in one sentence.
 */

const MAX_LISTED = 3;

function list(items: readonly string[], quote: boolean): string {
  const shown = items.slice(0, MAX_LISTED).map((item) => (quote ? `"${item}"` : item));
  const more = items.length > MAX_LISTED ? `, ...` : "";
  if (shown.length <= 1) return `${shown.join("")}${more}`;
  return more === "" ? `${shown.slice(0, -1).join(", ")} or ${shown.at(-1) ?? ""}` : `${shown.join(", ")}${more}`;
}

function owners(zone: Zone): string {
  return zone.owners.length === 0 ? "the zone's owners" : `the zone's owners (${zone.owners.join(", ")})`;
}

/** Why a write into `sink` breaks the zone's boundary, and the ways out. */
export function boundaryReason(zone: Zone, sink: string): string {
  const ways: string[] = [];
  if (zone.members.length > 0) ways.push(`write into a member such as ${list(zone.members, false)}`);
  if (zone.purposes.length > 0) ways.push(`declare the purpose ${list(zone.purposes, true)}`);
  ways.push(`ask ${owners(zone)} for an exception`);
  const last = ways.pop() ?? "";
  const options = ways.length === 0 ? last : `${ways.join(", ")}, or ${last}`;
  return `Sink ${sink} is outside zone "${zone.name}", which protects ${list(zone.protects, true)}, so it may not receive this data; ${options}.`;
}

/** Why a write into `sink` breaks one of the zone's deny rules, naming the pattern that matched. */
export function denyReason(zone: Zone, rule: ZoneRule, sink: string, pattern: string | undefined): string {
  const matched = pattern === undefined ? "" : ` (it matches ${pattern})`;
  return `Rule "${rule.name}" of zone "${zone.name}" forbids data it protects from reaching ${sink}${matched}; write without the protected labels or ask ${owners(zone)} to change the rule.`;
}
