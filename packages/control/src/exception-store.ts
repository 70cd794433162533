import type { ExceptionView } from "./control-plane";
import type { Queryable } from "./database";

/** An exception row with its state. */
export interface StoredException extends ExceptionView {
  readonly revokedAt: Date | null;
  readonly expired: boolean;
}

interface ExceptionRow {
  id: string;
  zone: string;
  producer: string;
  sink: string;
  justification: string;
  approver: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  expired: boolean;
}

const COLUMNS = "id, zone, producer, sink, justification, approver, created_at, expires_at, revoked_at, expired";

function toStored(row: ExceptionRow): StoredException {
  return {
    id: row.id,
    zone: row.zone,
    producer: row.producer,
    sink: row.sink,
    justification: row.justification,
    approver: row.approver,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    expired: row.expired,
  };
}

/** Stores a granted exception. */
export async function insertException(tx: Queryable, exception: ExceptionView, epoch: number): Promise<void> {
  await tx.query(
    `INSERT INTO zone_exceptions (id, zone, producer, sink, justification, approver, created_at, expires_at, epoch)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9)`,
    [
      exception.id,
      exception.zone,
      exception.producer,
      exception.sink,
      exception.justification,
      exception.approver,
      exception.createdAt.toISOString(),
      exception.expiresAt.toISOString(),
      epoch,
    ],
  );
}

/** One exception by id, whatever its state. */
export async function getException(db: Queryable, id: string): Promise<StoredException | undefined> {
  const rows = await db.query<ExceptionRow>(`SELECT ${COLUMNS} FROM zone_exceptions WHERE id = $1`, [id]);
  const row = rows[0];
  return row === undefined ? undefined : toStored(row);
}

/** Exceptions neither revoked nor expired at `nowMs`, of one zone or of all, soonest expiry first. */
export async function activeExceptions(db: Queryable, nowMs: number, zone?: string): Promise<StoredException[]> {
  const rows = await db.query<ExceptionRow>(
    `SELECT ${COLUMNS} FROM zone_exceptions
     WHERE revoked_at IS NULL AND expires_at > $1::timestamptz AND ($2::text IS NULL OR zone = $2)
     ORDER BY expires_at, id`,
    [new Date(nowMs).toISOString(), zone ?? null],
  );
  return rows.map(toStored);
}

/** Exceptions whose expiry has passed but which are not yet recorded as expired. */
export async function dueExceptions(db: Queryable, nowMs: number): Promise<StoredException[]> {
  const rows = await db.query<ExceptionRow>(
    `SELECT ${COLUMNS} FROM zone_exceptions WHERE revoked_at IS NULL AND expires_at <= $1::timestamptz ORDER BY expires_at, id`,
    [new Date(nowMs).toISOString()],
  );
  return rows.map(toStored);
}

/**
 * Ends an exception (revoked by a person, or expired). Returns false when it had already ended,
 * so two replicas expiring the same exception audit it once.
 */
export async function endException(
  tx: Queryable,
  id: string,
  how: { actor: string; atMs: number; expired: boolean },
): Promise<boolean> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE zone_exceptions SET revoked_at = $2::timestamptz, revoked_by = $3, expired = $4
     WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
    [id, new Date(how.atMs).toISOString(), how.actor, how.expired],
  );
  return rows.length > 0;
}
