import type { EnforcementPointName } from "./convert-audit-entry";
import type { Queryable } from "./database";

/** A decision point unseen this long is forgotten: replicas come and go, each with a new reporter id. */
export const DECISION_POINT_RETENTION_MS = 7 * 86_400_000;

/** One `zone_traffic` report, as far as the list of decision points needs it. */
export interface TrafficReport {
  readonly reporter: string;
  readonly zone: string;
  readonly enforcementPoint: EnforcementPointName;
  readonly policyVersion: string;
  readonly atMs: number;
}

/** A decision point as its traffic reports describe it. */
export interface DecisionPoint {
  readonly reporter: string;
  readonly enforcementPoint: EnforcementPointName;
  /** The policy version of its latest report. */
  readonly policyVersion: string;
  readonly lastSeen: Date;
  /** Zones it reported traffic for, by name. */
  readonly zones: readonly string[];
}

/** Notes each reporter's latest report per zone, in the caller's transaction; an older report changes nothing. */
export async function noteTrafficReports(tx: Queryable, reports: readonly TrafficReport[]): Promise<void> {
  const latest = new Map<string, TrafficReport>();
  for (const report of reports) {
    const key = JSON.stringify([report.reporter, report.zone]);
    if ((latest.get(key)?.atMs ?? -Infinity) <= report.atMs) latest.set(key, report);
  }
  if (latest.size === 0) return;
  // Sorted by key, so two transactions noting the same decision points lock their rows in one order.
  const rows = [...latest.values()]
    .sort((a, b) => (a.reporter === b.reporter ? a.zone.localeCompare(b.zone) : a.reporter.localeCompare(b.reporter)))
    .map((r) => ({ reporter: r.reporter, zone: r.zone, enforcement_point: r.enforcementPoint, policy_version: r.policyVersion, last_seen: new Date(r.atMs).toISOString() }));
  await tx.query(
    `INSERT INTO decision_points AS p (reporter, zone, enforcement_point, policy_version, last_seen)
     SELECT reporter, zone, enforcement_point, policy_version, last_seen
     FROM jsonb_to_recordset($1::jsonb) AS r(reporter text, zone text, enforcement_point text, policy_version text, last_seen timestamptz)
     ON CONFLICT (reporter, zone) DO UPDATE SET enforcement_point = EXCLUDED.enforcement_point, policy_version = EXCLUDED.policy_version,
       last_seen = EXCLUDED.last_seen
     WHERE EXCLUDED.last_seen >= p.last_seen`,
    [JSON.stringify(rows)],
  );
}

/** Every decision point that reported, most recently seen first. */
export async function listDecisionPoints(db: Queryable): Promise<DecisionPoint[]> {
  const rows = await db.query<{ reporter: string; zone: string; enforcement_point: EnforcementPointName; policy_version: string; last_seen: Date }>(
    "SELECT reporter, zone, enforcement_point, policy_version, last_seen FROM decision_points ORDER BY reporter, last_seen DESC, zone",
  );
  const points = new Map<string, { latest: (typeof rows)[number]; zones: string[] }>();
  for (const row of rows) {
    const point = points.get(row.reporter);
    // Rows of a reporter come newest first: the first says its current version and point.
    if (point === undefined) points.set(row.reporter, { latest: row, zones: [row.zone] });
    else point.zones.push(row.zone);
  }
  return [...points.values()]
    .map(({ latest, zones }) => ({
      reporter: latest.reporter,
      enforcementPoint: latest.enforcement_point,
      policyVersion: latest.policy_version,
      lastSeen: new Date(latest.last_seen),
      zones: zones.sort(),
    }))
    .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime() || a.reporter.localeCompare(b.reporter));
}

/** Forgets decision points (per zone) unseen since `beforeMs`. */
export async function pruneDecisionPoints(db: Queryable, beforeMs: number): Promise<void> {
  await db.query("DELETE FROM decision_points WHERE last_seen < $1::timestamptz", [new Date(beforeMs).toISOString()]);
}
