import type { AuditEntry, AuditKind, EnforcementPointName } from "./convert-audit-entry";
import type { Queryable } from "./database";

/**
 * How many of each zone's latest audit records the store keeps for the console. The audit topic
 * is the trail; this is a window onto its end, so a page of it never needs Kafka.
 */
export const AUDIT_WINDOW_PER_ZONE = 200;

/** An audit record of the window, with its place in it. */
export interface StoredAuditEntry extends AuditEntry {
  /** The order the backlog read the records in. */
  readonly seq: number;
}

interface EntryRow {
  seq: number;
  zone: string;
  record_id: string;
  at: Date;
  kind: AuditKind;
  producer: string | null;
  sink: string | null;
  labels: string[];
  enforced: boolean | null;
  enforcement_point: EnforcementPointName | null;
  reporter: string | null;
  subject: string | null;
  policy_version: string;
  summary: string;
}

/**
 * Adds a batch's entries, in the order read, then drops each zone's entries beyond the window, in
 * the caller's transaction. A batch brings at most the window's worth per zone: the rest would be
 * dropped at once.
 */
export async function keepAuditEntries(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const perZone = new Map<string, number>();
  const kept: AuditEntry[] = [];
  for (const entry of [...entries].reverse()) {
    const held = perZone.get(entry.zone) ?? 0;
    perZone.set(entry.zone, held + 1);
    if (held < AUDIT_WINDOW_PER_ZONE) kept.push(entry);
  }
  const rows = kept.reverse().map((e) => ({
    zone: e.zone,
    record_id: e.recordId,
    at: new Date(e.atMs).toISOString(),
    kind: e.kind,
    producer: e.producer,
    sink: e.sink,
    labels: e.labels,
    enforced: e.enforced,
    enforcement_point: e.enforcementPoint,
    reporter: e.reporter,
    subject: e.subject,
    policy_version: e.policyVersion,
    summary: e.summary,
  }));
  await tx.query(
    `INSERT INTO zone_audit_recent (zone, record_id, at, kind, producer, sink, labels, enforced, enforcement_point, reporter, subject, policy_version, summary)
     SELECT zone, record_id, at, kind, producer, sink, labels, enforced, enforcement_point, reporter, subject, policy_version, summary
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(entry, place),
       jsonb_to_record(e.entry) AS r(zone text, record_id text, at timestamptz, kind text, producer text, sink text,
         labels jsonb, enforced boolean, enforcement_point text, reporter text, subject text, policy_version text, summary text)
     ORDER BY place`,
    [JSON.stringify(rows)],
  );
  await tx.query(
    `DELETE FROM zone_audit_recent AS a USING (
       SELECT z.zone, (SELECT seq FROM zone_audit_recent r WHERE r.zone = z.zone ORDER BY seq DESC OFFSET $2 LIMIT 1) AS oldest_kept
       FROM unnest($1::text[]) AS z(zone)
     ) AS w WHERE a.zone = w.zone AND a.seq < w.oldest_kept`,
    [[...perZone.keys()], AUDIT_WINDOW_PER_ZONE - 1],
  );
}

/** A zone's latest audit records, newest first. */
export async function recentAuditEntries(db: Queryable, zone: string, limit: number): Promise<StoredAuditEntry[]> {
  const rows = await db.query<EntryRow>(
    `SELECT seq, zone, record_id, at, kind, producer, sink, labels, enforced, enforcement_point, reporter, subject, policy_version, summary
     FROM zone_audit_recent WHERE zone = $1 ORDER BY seq DESC LIMIT $2`,
    [zone, limit],
  );
  return rows.map((row) => ({
    seq: row.seq,
    recordId: row.record_id,
    zone: row.zone,
    atMs: new Date(row.at).getTime(),
    kind: row.kind,
    producer: row.producer,
    sink: row.sink,
    labels: row.labels,
    enforced: row.enforced,
    enforcementPoint: row.enforcement_point,
    reporter: row.reporter,
    subject: row.subject,
    policyVersion: row.policy_version,
    summary: row.summary,
  }));
}
