import type { Logger } from "@flowzone/logging";
import pg from "pg";

import { NUMERIC_TYPE_IDS, type Database, type Queryable, type Row } from "./database";
import { asDatabaseError, isDatabaseOutage } from "./database-errors";
import { createPgLeaderLock } from "./pg-leader-lock";

/** Options for {@link createPgDatabase}. */
export interface PgDatabaseOptions {
  /** `postgres://...` (DATABASE_URL). */
  readonly connectionString: string;
  /** Schema the tables live in (search_path); tests give each run its own. Default `public`. */
  readonly schema?: string;
  /** Pool size; default 5. */
  readonly maxConnections?: number;
  /** How long opening a connection may take before the request fails as unavailable. */
  readonly connectTimeoutMs: number;
  /** PostgreSQL's `statement_timeout` for every statement of the pool. */
  readonly statementTimeoutMs: number;
  /** Where a connection that breaks while idle in the pool is reported. */
  readonly logger: Logger;
}

/** Counters and offsets are bigint in SQL but far below 2^53 in practice: read them as numbers. */
function numberTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  const toNumber = (text: string): number => Number(text);
  types.setTypeParser(NUMERIC_TYPE_IDS.int8, toNumber);
  types.setTypeParser(NUMERIC_TYPE_IDS.numeric, toNumber);
  return types;
}

/**
 * A {@link Database} on a PostgreSQL server, through a `pg` pool. A server that restarts or drops
 * an idle connection is logged, not fatal (the pool's `error` event has a listener), and the pool
 * opens new connections once it is back: the control plane recovers without a restart. While it
 * is away every statement fails fast, as `unavailable`, within the connect timeout.
 */
export function createPgDatabase(options: PgDatabaseOptions): Database {
  const log = options.logger.child({ component: "postgres" });
  const searchPath = options.schema === undefined ? "" : ` -c search_path=${quoteIdentifier(options.schema)}`;
  const sessionOptions = `-c statement_timeout=${options.statementTimeoutMs}${searchPath}`;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 5,
    types: numberTypes(),
    connectionTimeoutMillis: options.connectTimeoutMs,
    options: sessionOptions,
  });
  pool.on("error", (error) => {
    log.warn({ err: error }, "an idle PostgreSQL connection broke (server restart or network); the pool opens a new one when needed");
  });
  const run = async <T extends object>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<T[]> => {
    const result = await client.query<Row>(sql, params === undefined ? undefined : [...params]);
    return result.rows as T[];
  };
  const reported = (error: unknown, during: string): unknown => {
    if (isDatabaseOutage(error)) log.warn({ err: error, during }, "PostgreSQL is unavailable");
    return asDatabaseError(error, during);
  };
  return {
    driver: "pg",
    async query(sql, params) {
      try {
        return await run(pool, sql, params);
      } catch (error) {
        throw reported(error, "a query");
      }
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw reported(error, "connecting");
      }
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await work({ query: (sql, params) => run(client, sql, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        broken = isDatabaseOutage(error);
        if (!broken) await client.query("ROLLBACK").catch(() => undefined);
        throw reported(error, "a transaction");
      } finally {
        // A broken connection is destroyed rather than handed to the next caller.
        client.release(broken);
      }
    },
    leaderLock: () => createPgLeaderLock({ connectionString: options.connectionString, sessionOptions, timeoutMs: options.connectTimeoutMs, logger: options.logger }),
    close: () => pool.end(),
  };
}

/** Quotes an SQL identifier (a schema name from configuration). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
