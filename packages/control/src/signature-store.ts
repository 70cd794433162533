import type { Resolution, SignatureStatus, ViolationView } from "./control-plane";
import type { Queryable } from "./database";
import { lockZoneBacklogs } from "./zone-backlog-store";

interface SignatureRow {
  id: string;
  zone: string;
  rule: string;
  producer: string;
  sink: string;
  labels: string[];
  first_seen: Date;
  last_seen: Date;
  count: number;
  status: SignatureStatus;
  resolution: Resolution | null;
  reopened: number;
}

const COLUMNS = "id, zone, rule, producer, sink, labels, first_seen, last_seen, count, status, resolution, reopened";

function toView(row: SignatureRow): ViolationView {
  return {
    id: row.id,
    zone: row.zone,
    rule: row.rule,
    producer: row.producer,
    sink: row.sink,
    labels: row.labels,
    firstSeen: new Date(row.first_seen),
    lastSeen: new Date(row.last_seen),
    count: row.count,
    status: row.status,
    resolution: row.resolution,
    reopened: row.reopened,
  };
}

/** Where a page of signatures starts: after this one, in the listing's order. */
export interface SignatureCursor {
  readonly lastSeen: Date;
  readonly id: string;
}

/**
 * A page of a zone's signatures, most recently seen first (ties by id), after `after` when given:
 * a keyset page, read from the index in that order however deep it is. One statement per status
 * filter, so each has an index that matches it exactly.
 */
export async function listSignatures(
  db: Queryable,
  zone: string,
  status: SignatureStatus | "all",
  limit: number,
  after?: SignatureCursor,
): Promise<ViolationView[]> {
  const params: unknown[] = [zone, limit];
  const statusFilter = status === "all" ? "" : ` AND status = $${params.push(status)}`;
  let keyset = "";
  if (after !== undefined) {
    const seen = `$${params.push(after.lastSeen.toISOString())}::timestamptz`;
    keyset = ` AND last_seen <= ${seen} AND (last_seen < ${seen} OR id > $${params.push(after.id)})`;
  }
  const rows = await db.query<SignatureRow>(
    `SELECT ${COLUMNS} FROM violation_signatures WHERE zone = $1${statusFilter}${keyset} ORDER BY last_seen DESC, id LIMIT $2`,
    params,
  );
  return rows.map(toView);
}

/** One signature by id. */
export async function getSignature(db: Queryable, id: string): Promise<ViolationView | undefined> {
  const rows = await db.query<SignatureRow>(`SELECT ${COLUMNS} FROM violation_signatures WHERE id = $1`, [id]);
  const row = rows[0];
  return row === undefined ? undefined : toView(row);
}

/** Every open signature, of one zone or (zone undefined) of all, for re-evaluation. */
export async function openSignatures(db: Queryable, zone?: string): Promise<ViolationView[]> {
  const rows = await db.query<SignatureRow>(
    `SELECT ${COLUMNS} FROM violation_signatures WHERE status = 'open' AND ($1::text IS NULL OR zone = $1) ORDER BY id`,
    [zone ?? null],
  );
  return rows.map(toView);
}

/**
 * Resolves signatures and notes why, in the caller's transaction. Only open rows change, so a
 * signature resolved twice keeps its first resolution and gets one note. `epoch` is the control
 * epoch of the change that resolved them: only violations decided under it or later reopen them.
 */
export async function resolveSignatures(
  tx: Queryable,
  ids: readonly string[],
  resolution: Resolution,
  note: { actor: string; text: string; atMs: number },
  epoch: number,
): Promise<string[]> {
  const resolved: string[] = [];
  const at = new Date(note.atMs).toISOString();
  const zones = await tx.query<{ zone: string }>("SELECT DISTINCT zone FROM violation_signatures WHERE id = ANY($1::text[])", [ids]);
  await lockZoneBacklogs(tx, zones.map((row) => row.zone));
  for (const id of ids) {
    const rows = await tx.query<{ id: string }>(
      `UPDATE violation_signatures SET status = 'resolved', resolution = $2, resolved_at = $3::timestamptz, resolved_epoch = $4
       WHERE id = $1 AND status = 'open' RETURNING id`,
      [id, resolution, at, epoch],
    );
    if (rows.length === 0) continue;
    await addRemediation(tx, id, resolution, note);
    resolved.push(id);
  }
  return resolved;
}

/** Notes a remediation of a signature (who, why, when). */
export async function addRemediation(
  tx: Queryable,
  id: string,
  action: Resolution,
  note: { actor: string; text: string; atMs: number },
): Promise<void> {
  await tx.query(
    "INSERT INTO remediations (signature_id, action, note, actor, at) VALUES ($1, $2, $3, $4, $5::timestamptz)",
    [id, action, note.text, note.actor, new Date(note.atMs).toISOString()],
  );
}

/**
 * Marks a signature fixed, open or not: any later recurrence reopens it, whatever policy it was
 * decided under (the fix is the producer's, not the policy's).
 */
export async function markSignatureFixed(tx: Queryable, id: string, zone: string, atMs: number): Promise<void> {
  await lockZoneBacklogs(tx, [zone]);
  await tx.query(
    `UPDATE violation_signatures SET status = 'resolved', resolution = 'fixed', resolved_at = $2::timestamptz, resolved_epoch = NULL
     WHERE id = $1`,
    [id, new Date(atMs).toISOString()],
  );
}

/** A zone's backlog in numbers, as readiness needs them. */
export interface BacklogStats {
  readonly openSignatures: number;
  /** Latest violation, stored or not. */
  readonly lastViolationAtMs: number | null;
  readonly decisionsInQuietPeriod: number;
  /** Violations whose new signature the zone had no room for, in all. */
  readonly violationsNotStored: number;
  /** When the latest of those was decided; null when none. */
  readonly lastNotStoredAtMs: number | null;
  /** Signatures opened (first seen or reopened) on the UTC days from `windowStartMs`'s on (the drain forecast's pace). */
  readonly openedInWindow: number;
  /** Signatures resolved on those days. */
  readonly resolvedInWindow: number;
}

/** A zone whose backlog numbers are asked for, and how far back its quiet period reaches. */
export interface ZoneQuietPeriod {
  readonly zone: string;
  readonly quietPeriodMs: number;
}

interface BacklogStatsRow {
  open_signatures: number | null;
  last_violation_at: Date | null;
  opened: number | null;
  resolved: number | null;
  decisions: number | null;
  not_stored: number | null;
  not_stored_at: Date | null;
}

/**
 * Backlog numbers of each zone at `nowMs` over its quiet period, and its pace since
 * `windowStartMs`, in the order given: counts kept, not recounted, and all zones in one statement,
 * because the zones list asks for every zone and a round trip per zone and number added up to
 * more than the list's 50 ms (bench:control).
 */
export async function backlogStats(db: Queryable, zones: readonly ZoneQuietPeriod[], nowMs: number, windowStartMs: number): Promise<BacklogStats[]> {
  const rows = await db.query<BacklogStatsRow & { ord: number }>(
    `SELECT z.ord, b.open_signatures, b.last_violation_at, p.opened, p.resolved, q.decisions, u.violations AS not_stored, u.last_at AS not_stored_at
     FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS z (zone, quiet_from, ord)
     LEFT JOIN zone_backlog b ON b.zone = z.zone
     LEFT JOIN LATERAL (SELECT sum(opened) AS opened, sum(resolved) AS resolved FROM zone_backlog_days d
                        WHERE d.zone = z.zone AND d.day >= ($3::timestamptz AT TIME ZONE 'UTC')::date) p ON true
     LEFT JOIN LATERAL (SELECT sum(decisions) AS decisions FROM zone_decisions s WHERE s.zone = z.zone AND s.bucket_start >= z.quiet_from) q ON true
     LEFT JOIN zone_unstored_violations u ON u.zone = z.zone
     ORDER BY z.ord`,
    [zones.map((z) => z.zone), zones.map((z) => new Date(nowMs - z.quietPeriodMs).toISOString()), new Date(windowStartMs).toISOString()],
  );
  return rows.map(toBacklogStats);
}

function toBacklogStats(row: BacklogStatsRow): BacklogStats {
  const lastSeenMs = row.last_violation_at === null ? null : new Date(row.last_violation_at).getTime();
  const lastNotStoredAtMs = row.not_stored_at === null ? null : new Date(row.not_stored_at).getTime();
  return {
    openSignatures: row.open_signatures ?? 0,
    lastViolationAtMs: lastNotStoredAtMs === null ? lastSeenMs : Math.max(lastSeenMs ?? 0, lastNotStoredAtMs),
    decisionsInQuietPeriod: row.decisions ?? 0,
    violationsNotStored: row.not_stored ?? 0,
    lastNotStoredAtMs,
    openedInWindow: row.opened ?? 0,
    resolvedInWindow: row.resolved ?? 0,
  };
}

/** Drops decision buckets nobody's quiet period reaches any more. */
export async function pruneDecisionBuckets(db: Queryable, beforeMs: number): Promise<void> {
  await db.query("DELETE FROM zone_decisions WHERE bucket_start < $1::timestamptz", [new Date(beforeMs).toISOString()]);
}
