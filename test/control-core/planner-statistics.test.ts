// The tick's refresh of the planner's statistics: PGlite runs no autovacuum, so without it a large
// backlog keeps the planner's default estimates (a deep keyset page took 4.2 s instead of
// milliseconds, docs/benchmarks.md's bench:control). On the server autovacuum does it: left alone.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { TEST_DATABASE_URL, uniqueSchema } from "../support/database";
import { violationRecord, type Flow } from "./control-support";
import { runOnStore, type StoreStep } from "./store-child";

const NOW = Date.parse("2026-11-04T15:00:00Z");
const flow = (i: number): Flow => ({ zone: "banana", rule: "boundary", producer: `svc:app-${i}`, sink: "kafka:ads", labels: ["banana"] });
const STATISTICS_SQL = `SELECT (SELECT reltuples FROM pg_class WHERE oid = 'violation_signatures'::regclass) AS reltuples,
  (SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'violation_signatures') AS columns`;
const STEPS: readonly StoreStep[] = [
  { consume: Array.from({ length: 20 }, (_, i) => violationRecord(flow(i), NOW)) },
  { sql: STATISTICS_SQL },
  { refreshPlannerStatistics: true },
  { sql: STATISTICS_SQL },
  // Not grown since: nothing to do.
  { refreshPlannerStatistics: true },
];
/** A node process, a fresh store and its migrations (PGlite's are slow on a loaded machine), then the steps. */
const STORE_TEST_MS = 180_000;

describe("the planner's statistics", () => {
  it(
    "are gathered on PGlite for the tables that grew since the last ANALYZE, once",
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), "flowzone-statistics-pglite-"));
      try {
        const [, before, analyzed, after, again] = await runOnStore({ dataDir }, NOW, STEPS);
        expect(before).toEqual([{ reltuples: -1, columns: 0 }]);
        expect(analyzed).toEqual(expect.arrayContaining(["consumed_records", "violation_signatures"]));
        expect(after).toEqual([{ reltuples: 20, columns: expect.any(Number) as number }]);
        expect((after as { columns: number }[])[0]?.columns).toBeGreaterThan(0);
        expect(again).toEqual([]);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    STORE_TEST_MS,
  );

  it(
    "are left to autovacuum on the PostgreSQL server",
    async () => {
      const [, , analyzed] = await runOnStore({ databaseUrl: TEST_DATABASE_URL, schema: uniqueSchema() }, NOW, STEPS);
      expect(analyzed).toEqual([]);
    },
    STORE_TEST_MS,
  );
});
