import type { Logger } from "@flowzone/logging";

import type { Database } from "./database";

/** The tables that grow with the traffic, whose size and value spread the planner must know. */
const GROWING_TABLES: readonly string[] = ["violation_signatures", "consumed_records", "zone_decisions", "flows", "flow_counts"];

/** A table is analyzed again once it has grown past this factor of its size at the last ANALYZE. */
const GROWTH_FACTOR = 2;

/**
 * The growing tables whose size on disk passed {@link GROWTH_FACTOR} times the size the last
 * ANALYZE recorded (pg_class.relpages, 0 before the first). Cheap: no row is read.
 */
const GROWN_TABLES_SQL = `SELECT c.relname AS name FROM pg_class c
  WHERE c.oid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
    AND pg_relation_size(c.oid) / current_setting('block_size')::int > $2 * greatest(c.relpages, 0)
  ORDER BY c.relname`;

/**
 * Gathers the planner's statistics on PGlite, which runs no autovacuum: without them the planner
 * keeps its default estimates however large the backlog grows, and a deep keyset page of a million
 * signatures took 4.2 s (a scan of every row after the cursor and a sort) instead of milliseconds.
 * ANALYZEs each growing table that doubled since its last one, so a backlog filling up is analyzed
 * a logarithmic number of times. Does nothing on a PostgreSQL server, whose autovacuum does it.
 * Returns the tables analyzed.
 */
export async function refreshPlannerStatistics(db: Database, logger: Logger): Promise<string[]> {
  if (db.driver !== "pglite") return [];
  const grown = await db.query<{ name: string }>(GROWN_TABLES_SQL, [GROWING_TABLES, GROWTH_FACTOR]);
  const names = grown.map((row) => row.name);
  // Names from GROWING_TABLES only, as pg_class spells them: safe to quote into the statement.
  if (names.length === 0) return names;
  await db.query(`ANALYZE ${names.map((name) => `"${name}"`).join(", ")}`);
  logger.debug({ tables: names }, "analyzed tables that grew, for the planner's statistics (PGlite runs no autovacuum)");
  return names;
}
