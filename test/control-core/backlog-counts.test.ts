// The kept backlog counts (zone_backlog, zone_backlog_days, zone_open_flows) under migration 9's
// statement triggers are migration 8's row trigger's, on both stores: one workload of multi-row
// statements (inserts across zones, resolutions, reopenings, count increments, the ingestion's
// upsert, deletes) runs on a store left at migration 8 and on one moved to 9 after its first
// insert, and the three tables must come out identical and agree with a recount of the
// signatures. PGlite runs the built package in a plain node process (see store-child.ts), so
// both stores do.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { TEST_DATABASE_URL, uniqueSchema } from "../support/database";
import { waitUntil } from "../support/poll";
import { TestProcess } from "../support/processes";

const DIST = join(__dirname, "..", "..", "packages", "control", "dist");

/**
 * The workload after the first insert. Times are fixed in 2000, far from any day the run could
 * fall on, except where migration 8 takes now(): a resolution without a time and a deleted open
 * signature close on the transaction's day, which the script reports as `today`.
 */
const WORKLOAD = [
  // Resolved with a time, two days after the last violation.
  `UPDATE violation_signatures SET status = 'resolved', resolution = 'fixed', resolved_at = last_seen + interval '2 days'
   WHERE status = 'open' AND substr(id, 2)::int % 3 = 0`,
  // Resolved without one: closes today.
  `UPDATE violation_signatures SET status = 'resolved', resolution = 'fixed' WHERE status = 'open' AND substr(id, 2)::int % 5 = 1`,
  // Reopened by a later violation, with more of them.
  `UPDATE violation_signatures SET status = 'open', resolution = NULL, resolved_at = NULL, reopened = reopened + 1,
     last_seen = last_seen + interval '3 days', count = count + 1
   WHERE status = 'resolved' AND substr(id, 2)::int % 6 = 0`,
  // More violations without a change of status, open and resolved alike.
  `UPDATE violation_signatures SET count = count + 2, last_seen = last_seen + interval '1 minute' WHERE substr(id, 2)::int % 4 = 1`,
  // One statement that resolves some signatures and reopens others of the same flows.
  `UPDATE violation_signatures SET status = CASE status WHEN 'open' THEN 'resolved' ELSE 'open' END,
     resolved_at = CASE status WHEN 'open' THEN last_seen + interval '1 day' END, count = count + 1
   WHERE substr(id, 2)::int % 7 = 2`,
  // A statement that changes nothing still fires the statement triggers.
  `UPDATE violation_signatures SET count = count + 1 WHERE false`,
  // The ingestion's upsert: new signatures and more violations of stored ones.
  `INSERT INTO violation_signatures (id, zone, rule, producer, sink, labels, first_seen, last_seen, count, status)
   SELECT 's' || i, 'zone-' || (i % 4), 'boundary', 'svc:p' || (i % 7), 'kafka:s' || (i % 2),
          CASE WHEN i % 2 = 0 THEN '["a"]' ELSE '["a","b"]' END::jsonb,
          timestamptz '2000-02-01 00:00Z' + i * interval '1 hour', timestamptz '2000-02-01 00:00Z' + i * interval '1 hour', 3, 'open'
   FROM generate_series(550, 700) AS i
   ON CONFLICT (id) DO UPDATE SET count = violation_signatures.count + EXCLUDED.count,
     last_seen = GREATEST(violation_signatures.last_seen, EXCLUDED.last_seen)`,
  // Deletes of open and resolved signatures: an open one closes today.
  `DELETE FROM violation_signatures WHERE substr(id, 2)::int % 13 = 0`,
  // Every signature of one flow resolved: the flow leaves the top open flows.
  `UPDATE violation_signatures SET status = 'resolved', resolved_at = last_seen WHERE zone = 'zone-1' AND producer = 'svc:p3'`,
];

/** Signatures 0..599 over four zones, seven producers, two sinks and two label sets, some stored resolved. */
const FIRST_INSERT = `INSERT INTO violation_signatures (id, zone, rule, producer, sink, labels, first_seen, last_seen, count, status, resolution, resolved_at)
  SELECT 's' || i, 'zone-' || (i % 4), 'boundary', 'svc:p' || (i % 7), 'kafka:s' || (i % 2),
         CASE WHEN i % 2 = 0 THEN '["a"]' ELSE '["a","b"]' END::jsonb,
         timestamptz '2000-01-01 00:00Z' + i * interval '1 hour', timestamptz '2000-01-01 01:00Z' + i * interval '1 hour', 1 + i % 5,
         CASE WHEN i % 11 = 0 THEN 'resolved' ELSE 'open' END,
         CASE WHEN i % 11 = 0 THEN 'fixed' END,
         CASE WHEN i % 11 = 0 THEN timestamptz '2000-01-02 00:00Z' + i * interval '1 hour' END
  FROM generate_series(0, 599) AS i`;

/** The kept counts, in key order, and a recount of the same from the signatures. */
const READS = {
  backlog: "SELECT zone, open_signatures, last_violation_at FROM zone_backlog ORDER BY zone",
  days: "SELECT zone, to_char(day, 'YYYY-MM-DD') AS day, opened, resolved FROM zone_backlog_days ORDER BY zone, day",
  flows: "SELECT zone, producer, sink, labels, signatures, count FROM zone_open_flows ORDER BY zone, producer, sink, labels",
  recountOpen: "SELECT zone, count(*) FILTER (WHERE status = 'open') AS open_signatures FROM violation_signatures GROUP BY zone ORDER BY zone",
  recountFlows: `SELECT zone, producer, sink, labels, count(*) AS signatures, sum(count) AS count FROM violation_signatures
    WHERE status = 'open' GROUP BY zone, producer, sink, labels ORDER BY zone, producer, sink, labels`,
  triggers: "SELECT tgname FROM pg_trigger WHERE tgrelid = 'violation_signatures'::regclass AND NOT tgisinternal ORDER BY tgname",
};

/**
 * Opens two stores of one kind at migration 8, inserts into both, moves the second to the latest
 * migration, then runs the workload on each in one transaction (so now() is one day per store)
 * and prints what each holds.
 */
const SCRIPT = `
  const { applyMigrations, MIGRATIONS } = require(${JSON.stringify(join(DIST, "index.js"))});
  const { createPgDatabase } = require(${JSON.stringify(join(DIST, "pg-database.js"))});
  const { createPgliteDatabase } = require(${JSON.stringify(join(DIST, "pglite-database.js"))});
  const { targets, firstInsert, workload, reads } = JSON.parse(process.argv[1]);
  const logger = { child: () => logger, info() {}, warn() {}, error() {}, debug() {} };
  const open = async (target) => target.schema === undefined ? createPgliteDatabase(target.dataDir)
    : createPgDatabase({ connectionString: target.databaseUrl, schema: target.schema, connectTimeoutMs: 5000, statementTimeoutMs: 60000, logger });
  const schema = (target) => target.schema === undefined ? {} : { schema: target.schema };
  (async () => {
    const stores = [];
    for (const target of targets) {
      const db = await open(target);
      await applyMigrations(db, { ...schema(target), migrations: MIGRATIONS.filter((m) => m.version <= 8) });
      await db.query(firstInsert);
      stores.push({ target, db });
    }
    await applyMigrations(stores[1].db, schema(stores[1].target));
    const results = [];
    for (const { target, db } of stores) {
      const result = await db.transaction(async (tx) => {
        for (const statement of workload) await tx.query(statement);
        const read = { today: (await tx.query("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day"))[0].day };
        for (const [name, sql] of Object.entries(reads)) read[name] = await tx.query(sql);
        return read;
      });
      if (target.schema !== undefined) await db.query("DROP SCHEMA " + JSON.stringify(target.schema) + " CASCADE");
      await db.close();
      results.push(result);
    }
    process.stdout.write(JSON.stringify(results));
  })().catch((error) => { console.error(error); process.exit(1); });`;

type Rows = Record<string, unknown>[];
interface Counts {
  readonly today: string;
  readonly backlog: Rows;
  readonly days: Rows;
  readonly flows: Rows;
  readonly recountOpen: Rows;
  readonly recountFlows: Rows;
  readonly triggers: { tgname: string }[];
}

async function runWorkload(targets: readonly object[]): Promise<[Counts, Counts]> {
  const input = JSON.stringify({ targets, firstInsert: FIRST_INSERT, workload: WORKLOAD, reads: READS });
  const child = TestProcess.start("the backlog counts script", process.execPath, ["-e", SCRIPT, input], { env: process.env });
  const exit = await child.exited;
  if (exit.code !== 0) throw new Error(`the backlog counts script exited with ${JSON.stringify(exit)}\n${child.output()}`);
  // A child's output may still be arriving when its exit is reported: wait until it parses.
  return waitUntil("the script's counts on its stdout", () => JSON.parse(child.stdout) as [Counts, Counts], () => true, { timeoutMs: 5_000, intervalMs: 20 });
}

/** The days of a store with its own today written `today`: the two stores' transactions may fall either side of midnight. */
function daysOf(counts: Counts): Rows {
  return counts.days.map((row) => (row.day === counts.today ? { ...row, day: "today" } : row));
}

const STORES: readonly string[] = ["the PostgreSQL server", "embedded PGlite"];

describe.each(STORES)("the kept backlog counts on %s", (storeName) => {
  it("come out of migration 9's statement triggers as out of migration 8's row trigger, and match a recount", async () => {
    const dirs: string[] = [];
    try {
      let targets: object[];
      if (storeName === "the PostgreSQL server") {
        targets = [uniqueSchema("counts8"), uniqueSchema("counts9")].map((schema) => ({ databaseUrl: TEST_DATABASE_URL, schema }));
      } else {
        for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), "flowzone-counts-pglite-")));
        targets = dirs.map((dataDir) => ({ dataDir }));
      }
      const [rowTrigger, statementTriggers] = await runWorkload(targets);
      expect(rowTrigger.triggers.map((t) => t.tgname)).toEqual(["violation_signatures_counts"]);
      expect(statementTriggers.triggers.map((t) => t.tgname)).toEqual([
        "violation_signatures_counts_delete",
        "violation_signatures_counts_insert",
        "violation_signatures_counts_update",
      ]);

      expect(statementTriggers.backlog).toEqual(rowTrigger.backlog);
      expect(daysOf(statementTriggers)).toEqual(daysOf(rowTrigger));
      expect(statementTriggers.flows).toEqual(rowTrigger.flows);

      // The workload reached every path: four zones, flows dropped, signatures closed today.
      expect(statementTriggers.backlog).toHaveLength(4);
      expect(statementTriggers.flows.filter((row) => row.zone === "zone-1" && row.producer === "svc:p3")).toEqual([]);
      expect(daysOf(statementTriggers).some((row) => row.day === "today" && Number(row.resolved) > 0)).toBe(true);

      expect(statementTriggers.backlog.map(({ zone, open_signatures }) => ({ zone, open_signatures }))).toEqual(statementTriggers.recountOpen);
      expect(statementTriggers.flows).toEqual(statementTriggers.recountFlows);
      // What opened less what was resolved, over all days, is what is open now.
      for (const { zone, open_signatures } of statementTriggers.recountOpen) {
        const net = statementTriggers.days.filter((row) => row.zone === zone).reduce((sum, row) => sum + Number(row.opened) - Number(row.resolved), 0);
        expect({ zone, net }).toEqual({ zone, net: open_signatures });
      }
    } finally {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  }, 180_000);
});
