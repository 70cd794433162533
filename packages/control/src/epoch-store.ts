import type { Queryable } from "./database";

/**
 * Serialises control changes: every flip, grant, revocation and push takes this row lock first,
 * so a readiness check and the flip it allows see the same world, and epochs follow commit order.
 * Returns the last committed epoch.
 */
export async function lockControl(tx: Queryable): Promise<number> {
  const rows = await tx.query<{ epoch: number }>("SELECT epoch FROM control_state WHERE id = 1 FOR UPDATE");
  return rows[0]?.epoch ?? 0;
}

/**
 * The next control epoch. Drawn from a sequence, which never rolls back: an epoch that reached
 * the control topic from a transaction that then failed is never reused, so followers can trust
 * that a higher epoch is newer.
 */
export async function nextEpoch(tx: Queryable): Promise<number> {
  const rows = await tx.query<{ epoch: number }>(
    "UPDATE control_state SET epoch = nextval('control_epoch') WHERE id = 1 RETURNING epoch",
  );
  const epoch = rows[0]?.epoch;
  if (epoch === undefined) throw new Error("control_state has no row: the store was not migrated");
  return epoch;
}

/** The last committed control epoch. */
export async function currentEpoch(db: Queryable): Promise<number> {
  const rows = await db.query<{ epoch: number }>("SELECT epoch FROM control_state WHERE id = 1");
  return rows[0]?.epoch ?? 0;
}
