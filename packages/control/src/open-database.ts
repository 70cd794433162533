import { createPgDatabase } from "./pg-database";
import { createPgliteDatabase } from "./pglite-database";
import type { Database } from "./database";
import { applyMigrations } from "./migrate";

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL server (DATABASE_URL); unset selects embedded PGlite in `dataDir`. */
  readonly databaseUrl?: string | undefined;
  /** PGlite's data directory, e.g. `.flowzone/pglite`. */
  readonly dataDir: string;
  /** Server only: the schema to use (created when missing); tests isolate themselves with it. */
  readonly schema?: string;
}

/**
 * Opens the store and brings its schema up to date before anyone uses it, so every process
 * that starts finds the tables it expects. The driver is chosen here and nowhere else.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const url = options.databaseUrl;
  const db =
    url !== undefined && url !== ""
      ? createPgDatabase({ connectionString: url, ...(options.schema === undefined ? {} : { schema: options.schema }) })
      : await createPgliteDatabase(options.dataDir);
  try {
    await applyMigrations(db, db.driver === "pg" && options.schema !== undefined ? { schema: options.schema } : {});
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
