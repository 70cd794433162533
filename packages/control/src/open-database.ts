import type { Logger } from "@flowzone/logging";

import type { Database } from "./database";
import { applyMigrations } from "./migrate";
import { createPgDatabase } from "./pg-database";
import { createPgliteDatabase } from "./pglite-database";

/** Defaults of the store's options; `flowzone control` documents them (docs/reference/configuration.md). */
export const DATABASE_DEFAULTS = {
  /** Long enough for a loaded server across a network, short enough that an outage answers 503 promptly. */
  connectTimeoutMs: 5_000,
  /** No statement of the control plane needs more; one that does is stuck behind a lock or a sick server. */
  statementTimeoutMs: 30_000,
} as const;

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL server (DATABASE_URL); unset selects embedded PGlite in `dataDir`. */
  readonly databaseUrl?: string | undefined;
  /** PGlite's data directory, e.g. `.flowzone/pglite`. */
  readonly dataDir: string;
  /** Server only: the schema to use (created when missing); tests isolate themselves with it. */
  readonly schema?: string;
  /** Server only: how long opening a connection may take; default {@link DATABASE_DEFAULTS}. */
  readonly connectTimeoutMs?: number | undefined;
  /** Server only: PostgreSQL's `statement_timeout`; default {@link DATABASE_DEFAULTS}. */
  readonly statementTimeoutMs?: number | undefined;
  /** Server only: where broken connections are reported. */
  readonly logger: Logger;
}

/**
 * Opens the store and brings its schema up to date before anyone uses it, so every process
 * that starts finds the tables it expects. The driver is chosen here and nowhere else.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const url = options.databaseUrl;
  const db =
    url !== undefined && url !== ""
      ? createPgDatabase({
          connectionString: url,
          connectTimeoutMs: positive(options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs, "connectTimeoutMs"),
          statementTimeoutMs: positive(options.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs, "statementTimeoutMs"),
          logger: options.logger,
          ...(options.schema === undefined ? {} : { schema: options.schema }),
        })
      : await createPgliteDatabase(options.dataDir);
  try {
    await applyMigrations(db, db.driver === "pg" && options.schema !== undefined ? { schema: options.schema } : {});
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

function positive(ms: number, name: string): number {
  if (!Number.isSafeInteger(ms) || ms < 1) throw new Error(`${name} must be a whole number of milliseconds above 0, got ${ms}`);
  return ms;
}
