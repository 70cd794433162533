import pg from "pg";

import { NUMERIC_TYPE_IDS, type Database, type Queryable, type Row } from "./database";

/** Options for {@link createPgDatabase}. */
export interface PgDatabaseOptions {
  /** `postgres://...` (DATABASE_URL). */
  readonly connectionString: string;
  /** Schema the tables live in (search_path); tests give each run its own. Default `public`. */
  readonly schema?: string;
  /** Pool size; default 5. */
  readonly maxConnections?: number;
}

/** Counters and offsets are bigint in SQL but far below 2^53 in practice: read them as numbers. */
function numberTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  const toNumber = (text: string): number => Number(text);
  types.setTypeParser(NUMERIC_TYPE_IDS.int8, toNumber);
  types.setTypeParser(NUMERIC_TYPE_IDS.numeric, toNumber);
  return types;
}

/** A {@link Database} on a PostgreSQL server, through a `pg` pool. */
export function createPgDatabase(options: PgDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 5,
    types: numberTypes(),
    ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
  });
  const run = async <T extends object>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]): Promise<T[]> => {
    const result = await client.query<Row>(sql, params === undefined ? undefined : [...params]);
    return result.rows as T[];
  };
  return {
    driver: "pg",
    query: (sql, params) => run(pool, sql, params),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work({ query: (sql, params) => run(client, sql, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Quotes an SQL identifier (a schema name from configuration). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
