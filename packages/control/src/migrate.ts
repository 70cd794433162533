import type { Database } from "./database";
import { MIGRATIONS, type Migration } from "./migrations";
import { quoteIdentifier } from "./pg-database";

/** Advisory lock key ("flow" in ASCII): held while migrating, so two processes never race. */
export const MIGRATION_LOCK_KEY = 0x666c6f77;

/**
 * Applies every migration not applied yet, all in one transaction under an advisory lock: a
 * second process starting at the same moment waits, then finds nothing left to do. Returns the
 * versions it applied (empty when the schema was current).
 */
export async function applyMigrations(
  db: Database,
  options: { readonly schema?: string; readonly migrations?: readonly Migration[] } = {},
): Promise<number[]> {
  const migrations = options.migrations ?? MIGRATIONS;
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    if (options.schema !== undefined) await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const rows = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return applied;
  });
}
