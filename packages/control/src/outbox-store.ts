import type { Queryable } from "./database";

/** Where an outbox record goes: the control topic or the audit topic. */
export type OutboxTarget = "control" | "audit";

/** One outgoing record, encoded; `value` null is a tombstone. */
export interface OutboxRecord {
  readonly target: OutboxTarget;
  readonly key: string;
  readonly value: Buffer | null;
}

/** A stored outbox record not yet published. */
export interface PendingRecord extends OutboxRecord {
  readonly id: number;
}

/** Stores a change's outgoing records in the change's own transaction, in the order given. */
export async function enqueueRecords(tx: Queryable, records: readonly OutboxRecord[], atMs: number): Promise<void> {
  for (const record of records) {
    await tx.query("INSERT INTO outbox (target, key, value, created_at) VALUES ($1, $2, $3, $4::timestamptz)", [
      record.target,
      record.key,
      record.value,
      new Date(atMs).toISOString(),
    ]);
  }
}

/** The oldest records neither published nor set aside, in the order their changes committed (all changes hold the control lock). */
export async function pendingRecords(db: Queryable, limit: number): Promise<PendingRecord[]> {
  const rows = await db.query<{ id: number; target: OutboxRecord["target"]; key: string; value: Uint8Array | null }>(
    "SELECT id, target, key, value FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL ORDER BY id LIMIT $1",
    [limit],
  );
  // pg gives bytea as a Buffer, PGlite as a Uint8Array.
  return rows.map((row) => ({ id: row.id, target: row.target, key: row.key, value: row.value === null ? null : Buffer.from(row.value) }));
}

/** The id of the newest record neither published nor set aside; undefined when there is none. */
export async function lastPendingId(db: Queryable): Promise<number | undefined> {
  const rows = await db.query<{ id: number | null }>("SELECT max(id) AS id FROM outbox WHERE published_at IS NULL AND set_aside_at IS NULL");
  return rows[0]?.id ?? undefined;
}

/** Whether a record up to `id` is still neither published nor set aside. */
export async function pendingUpTo(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.query("SELECT 1 FROM outbox WHERE id <= $1 AND published_at IS NULL AND set_aside_at IS NULL LIMIT 1", [id]);
  return rows.length > 0;
}

/** Marks records published (acknowledged by Kafka). */
export async function markPublished(db: Queryable, ids: readonly number[], atMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db.query("UPDATE outbox SET published_at = $2::timestamptz WHERE id = ANY($1::bigint[])", [ids, new Date(atMs).toISOString()]);
}

/**
 * Sets a record aside: Kafka refuses it for itself (too large, invalid), so it is kept unpublished
 * with Kafka's reason, for a person to look at, and no longer holds up the records behind it.
 */
export async function markSetAside(db: Queryable, id: number, reason: string, atMs: number): Promise<void> {
  await db.query("UPDATE outbox SET set_aside_at = $2::timestamptz, set_aside_reason = $3 WHERE id = $1", [id, new Date(atMs).toISOString(), reason]);
}

/** Forgets records published before `beforeMs`. */
export async function prunePublished(db: Queryable, beforeMs: number): Promise<void> {
  await db.query("DELETE FROM outbox WHERE published_at < $1::timestamptz", [new Date(beforeMs).toISOString()]);
}

/**
 * Takes or renews the right to drain the outbox for `leaseMs` (the database's clock decides, so
 * replicas need not agree on the time). False while another holder's lease runs.
 */
export async function claimDrainLease(db: Queryable, holder: string, leaseMs: number): Promise<boolean> {
  const rows = await db.query<{ holder: string }>(
    `UPDATE outbox_lease SET holder = $1, expires_at = now() + $2 * interval '1 millisecond'
     WHERE id = 1 AND (holder IS NULL OR holder = $1 OR expires_at < now()) RETURNING holder`,
    [holder, leaseMs],
  );
  return rows.length > 0;
}

/** Gives the lease up (at close), so another replica drains at once. */
export async function releaseDrainLease(db: Queryable, holder: string): Promise<void> {
  await db.query("UPDATE outbox_lease SET holder = NULL, expires_at = NULL WHERE id = 1 AND holder = $1", [holder]);
}
