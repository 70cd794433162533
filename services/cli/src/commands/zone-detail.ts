import type { ZoneDetailJson } from "@flowzone/control-service";
import { drainSentence } from "../drain-text";
import { relativeTime } from "../relative-time";
import { renderTable } from "../table";

/**
 * `flowzone zones status ZONE` for people: the zone's settings, whether it may enforce and
 * what stands in the way, then its open flows, exceptions and flip history as tables.
 */
export function renderZoneDetail(zone: ZoneDetailJson, now: Date): string {
  const { readiness } = zone;
  const when = (iso: string | null): string => (iso === null ? "-" : `${relativeTime(iso, now)} (${iso})`);
  const settings = [
    ["mode", zone.effectiveMode === zone.mode ? zone.mode : `${zone.mode} (effective ${zone.effectiveMode})`],
    ["fail mode", zone.failMode],
    ["owners", zone.owners.join(", ") || "-"],
    ["open violations", String(zone.openViolations)],
    ["violations not stored", String(zone.violationsNotStored)],
    ["last violation", when(zone.lastViolationAt)],
    ["drained", zone.drained ? "yes" : "no"],
    ["drain forecast", drainSentence(zone.drain, now)],
    ["ready to enforce", readiness.ready ? "yes" : "no"],
    ["decisions in quiet period", String(readiness.decisionsInQuietPeriod)],
    ["quiet period ends", when(readiness.quietPeriodEndsAt)],
  ];
  const width = Math.max(...settings.map(([name]) => (name ?? "").length));
  const out = [`zone ${zone.name}`, ...settings.map(([name, value]) => `  ${(name ?? "").padEnd(width)}  ${value ?? ""}`)];
  if (readiness.blockers.length > 0) out.push("", "Blockers to enforcement:", ...readiness.blockers.map((b) => `  - ${b}`));
  out.push("", section("Top open flows", renderTable(["PRODUCER", "SINK", "LABELS", "COUNT"], zone.topOpenFlows.map((f) => [f.producer, f.sink, f.labels.join(","), String(f.count)])), zone.topOpenFlows.length));
  out.push(
    "",
    section(
      "Exceptions",
      renderTable(
        ["ID", "PRODUCER", "SINK", "EXPIRES", "APPROVER", "JUSTIFICATION"],
        zone.exceptions.map((e) => [e.id, e.producer, e.sink, relativeTime(e.expiresAt, now), e.approver, e.justification]),
      ),
      zone.exceptions.length,
    ),
  );
  out.push(
    "",
    section(
      "History (newest first)",
      renderTable(
        ["WHEN", "FROM", "TO", "BY", "HOW", "REASON"],
        zone.history.map((f) => [relativeTime(f.at, now), f.from, f.to, f.actor, f.automatic ? "automatic" : f.forced ? "forced" : "manual", f.reason]),
      ),
      zone.history.length,
    ),
  );
  return `${out.join("\n")}\n`;
}

function section(title: string, table: string, count: number): string {
  return count === 0 ? `${title}: none` : `${title}:\n${table.trimEnd().replace(/^/gm, "  ")}`;
}
