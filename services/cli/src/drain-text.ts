import type { DrainJson } from "@flowzone/control-service";
import { relativeTime } from "./relative-time";

/** A zone's drain forecast in a table cell: "drained", "not draining", or when it drains ("in 12d"). */
export function drainCell(drain: DrainJson, now: Date): string {
  if (drain.state === "draining") return relativeTime(drain.projectedDrainAt, now);
  return drain.state === "drained" ? "drained" : "not draining";
}

/** The forecast with the pace it comes from, for `flowzone zones status`. */
export function drainSentence(drain: DrainJson, now: Date): string {
  const pace = `${perDay(drain.resolvedPerDay)} resolved/day, ${perDay(drain.openedPerDay)} new/day over ${drain.windowDays} days`;
  const outcome = drain.state === "draining" ? `drains ${relativeTime(drain.projectedDrainAt, now)} (${drain.projectedDrainAt ?? "-"})` : drain.state === "drained" ? "drained" : "not draining";
  return `${outcome}; ${pace}`;
}

function perDay(rate: number): string {
  return rate.toFixed(1);
}
