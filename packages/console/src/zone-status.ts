import type { Zone } from "./wire";

/** A zone's state in one word with a colour; the word is always shown, so colour is never the only sign. */
export interface ZoneStatus {
  readonly label: string;
  readonly tone: "bad" | "warn" | "good" | "neutral";
}

export function zoneStatus(zone: Zone): ZoneStatus {
  if (zone.openViolations > 0 || zone.violationsNotStored > 0) return { label: "Open violations", tone: "bad" };
  if (zone.effectiveMode === "enforcement") return { label: "Enforcing", tone: "good" };
  if (zone.readyToEnforce) return { label: "Ready to enforce", tone: "good" };
  if (!zone.drained) return { label: "Draining", tone: "warn" };
  return { label: "Quiet", tone: "neutral" };
}
