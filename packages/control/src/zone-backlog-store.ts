import type { BacklogDay, FlowCount } from "./control-plane";
import type { Queryable } from "./database";

/**
 * The per-zone counts the triggers on `violation_signatures` keep (migration 8's tables, kept
 * per statement since migration 9): read in one row or a few, whatever the size of the backlog.
 */

const DAY_MS = 86_400_000;

/**
 * Locks the counter rows of `zones`, creating missing ones, in name order. Every transaction that
 * changes signatures takes these first: the triggers update the zones' rows after each statement
 * (in name order within it), and a transaction runs several, so two transactions reaching the
 * same zones in different orders would otherwise deadlock. Holding them also keeps the counts
 * the signature limit reads (signature-limit.ts) until the transaction ends.
 */
export async function lockZoneBacklogs(tx: Queryable, zones: readonly string[]): Promise<void> {
  if (zones.length === 0) return;
  await tx.query(
    `INSERT INTO zone_backlog AS b (zone) SELECT DISTINCT z FROM unnest($1::text[]) AS z ORDER BY z
     ON CONFLICT (zone) DO UPDATE SET open_signatures = b.open_signatures`,
    [zones],
  );
}

/** Open signatures per zone, for the zones given (absent: none). */
export async function openSignatureCounts(db: Queryable, zones: readonly string[]): Promise<Map<string, number>> {
  const rows = await db.query<{ zone: string; open_signatures: number }>("SELECT zone, open_signatures FROM zone_backlog WHERE zone = ANY($1::text[])", [zones]);
  return new Map(rows.map((row) => [row.zone, row.open_signatures]));
}

/** A zone's open signatures and latest violation stored. */
export async function zoneBacklog(db: Queryable, zone: string): Promise<{ openSignatures: number; lastSeenMs: number | null }> {
  const rows = await db.query<{ open_signatures: number; last_violation_at: Date | null }>(
    "SELECT open_signatures, last_violation_at FROM zone_backlog WHERE zone = $1",
    [zone],
  );
  const row = rows[0];
  const last = row?.last_violation_at ?? null;
  return { openSignatures: row?.open_signatures ?? 0, lastSeenMs: last === null ? null : new Date(last).getTime() };
}

/**
 * The last `days` UTC days of a zone's backlog up to today's, oldest first. The store keeps what
 * opened and closed each day; a day's open count is worked back from today's: minus what opened
 * after it, plus what was resolved after it.
 */
export async function backlogHistory(db: Queryable, zone: string, days: number, nowMs: number): Promise<BacklogDay[]> {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const firstMs = today - (days - 1) * DAY_MS;
  const rows = await db.query<{ day: string; opened: number; resolved: number }>(
    "SELECT to_char(day, 'YYYY-MM-DD') AS day, opened, resolved FROM zone_backlog_days WHERE zone = $1 AND day >= $2::date ORDER BY day DESC",
    [zone, utcDay(firstMs)],
  );
  const changes = new Map(rows.map((row) => [row.day, row]));
  let open = (await zoneBacklog(db, zone)).openSignatures;
  const history: BacklogDay[] = [];
  for (let dayMs = today; dayMs >= firstMs; dayMs -= DAY_MS) {
    const date = utcDay(dayMs);
    const change = changes.get(date);
    history.push({ date, open, new: change?.opened ?? 0, resolved: change?.resolved ?? 0 });
    open += (change?.resolved ?? 0) - (change?.opened ?? 0);
  }
  return history.reverse();
}

/** The zone's biggest open flows (rules folded together), largest count first. */
export async function topOpenFlows(db: Queryable, zone: string, limit: number): Promise<FlowCount[]> {
  const rows = await db.query<{ producer: string; sink: string; labels: string[]; count: number }>(
    "SELECT producer, sink, labels, count FROM zone_open_flows WHERE zone = $1 ORDER BY count DESC, producer, sink LIMIT $2",
    [zone, limit],
  );
  return rows.map((row) => ({ producer: row.producer, sink: row.sink, labels: row.labels, count: row.count }));
}

/** `YYYY-MM-DD` of the UTC day holding `ms`. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
