import type { Queryable } from "./database";

/** A bundle as pushed: its version and its files (relative path to content). */
export interface StoredBundle {
  readonly id: number;
  readonly version: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Id of the latest pushed bundle (0 when none): a cheap check whether a cached bundle is current. */
export async function latestBundleId(db: Queryable): Promise<number> {
  const rows = await db.query<{ id: number | null }>("SELECT max(id) AS id FROM policy_bundles");
  return rows[0]?.id ?? 0;
}

/** The bundle with the given id. */
export async function readBundle(db: Queryable, id: number): Promise<StoredBundle | undefined> {
  const rows = await db.query<{ id: number; version: string; files: Record<string, string> }>(
    "SELECT id, version, files FROM policy_bundles WHERE id = $1",
    [id],
  );
  return rows[0];
}

/** Stores a pushed bundle; the latest row is the policy in force. */
export async function insertBundle(
  tx: Queryable,
  bundle: { version: string; files: Readonly<Record<string, string>>; actor: string; atMs: number; epoch: number },
): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO policy_bundles (version, files, pushed_by, pushed_at, epoch)
     VALUES ($1, $2::jsonb, $3, $4::timestamptz, $5) RETURNING id`,
    [bundle.version, JSON.stringify(bundle.files), bundle.actor, new Date(bundle.atMs).toISOString(), bundle.epoch],
  );
  return rows[0]?.id ?? 0;
}
