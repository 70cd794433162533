import type { Zone } from "./wire";
import { zoneStatus } from "./zone-status";

export function StatusBadge({ zone }: { zone: Zone }) {
  const status = zoneStatus(zone);
  return <span class={`badge ${status.tone}`}>{status.label}</span>;
}

/** Yes or no in words, with the colour as a second sign. */
export function YesNo({ value }: { value: boolean }) {
  return <span class={value ? "yes" : "no"}>{value ? "yes" : "no"}</span>;
}
