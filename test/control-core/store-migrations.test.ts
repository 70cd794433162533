import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { applyMigrations, MIGRATIONS, openDatabase, type Database } from "@flowzone/control";

import { openTestDatabase, TEST_DATABASE_URL, uniqueSchema } from "../support/database";
import { collectingLogger } from "../support/logger";
import { waitUntil } from "../support/poll";
import { TestProcess } from "../support/processes";

const TABLES = [
  "consumed_offsets",
  "consumed_records",
  "control_state",
  "decision_points",
  "flow_counts",
  "flows",
  "outbox",
  "outbox_lease",
  "policy_bundles",
  "remediations",
  "schema_migrations",
  "violation_signatures",
  "zone_audit_recent",
  "zone_backlog",
  "zone_backlog_days",
  "zone_decisions",
  "zone_exceptions",
  "zone_flips",
  "zone_open_flows",
  "zone_state",
  "zone_unstored_violations",
];

const TABLES_SQL =
  "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name";
const INSERT_SQL = `INSERT INTO violation_signatures (id, zone, rule, producer, sink, labels, first_seen, last_seen, count, status)
  VALUES ('s1', 'z', 'boundary', 'svc:a', 'kafka:b', $1::jsonb, $2::timestamptz, $2::timestamptz, $3, 'open')`;
const SELECT_SQL = "SELECT labels, count, last_seen, (SELECT sum(count) FROM violation_signatures) AS total FROM violation_signatures";
/** The built package: the PGlite case runs outside jest (see below). `npm test` builds first. */
const CONTROL_DIST = join(__dirname, "..", "..", "packages", "control", "dist", "index.js");
/** The outbox's statements, run as the control plane runs them (not on the package's public surface). */
const OUTBOX_STORE_DIST = join(__dirname, "..", "..", "packages", "control", "dist", "outbox-store.js");

/** What the PGlite script prints. */
interface Result {
  readonly driver: string;
  readonly tables: string[];
  readonly row: Record<string, unknown>;
  readonly reapplied: number[];
  readonly outbox: { pending: { target: string; key: string; value: number[] | null }[]; leases: boolean[]; afterMark: number };
}

async function tables(db: Database): Promise<string[]> {
  const rows = await db.query<{ name: string }>(TABLES_SQL);
  return rows.map((row) => row.name);
}

/** The same statements the store runs, on whichever driver: numbers, jsonb and times read alike. */
async function roundTrip(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(INSERT_SQL, [JSON.stringify(["x", "y"]), "2026-01-01T00:00:00.123Z", 9_007_199_254]);
  });
  const rows = await db.query<{ labels: unknown; count: unknown; last_seen: unknown; total: unknown }>(SELECT_SQL);
  expect(rows).toEqual([{ labels: ["x", "y"], count: 9_007_199_254, last_seen: new Date("2026-01-01T00:00:00.123Z"), total: 9_007_199_254 }]);
  await expect(
    db.transaction(async (tx) => {
      await tx.query("UPDATE violation_signatures SET count = 0");
      throw new Error("roll me back");
    }),
  ).rejects.toThrow("roll me back");
  expect((await db.query<{ count: number }>("SELECT count FROM violation_signatures"))[0]?.count).toBe(9_007_199_254);
}

describe("control store migrations", () => {
  it("creates every table on PostgreSQL and is idempotent on a second run", async () => {
    const { db, drop } = await openTestDatabase();
    try {
      expect(await tables(db)).toEqual(TABLES);
      expect(await applyMigrations(db)).toEqual([]);
      const applied = await db.query<{ version: number }>("SELECT version FROM schema_migrations");
      expect(applied.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
      await roundTrip(db);
    } finally {
      await drop();
    }
  });

  it("lets several processes start at once on one PostgreSQL schema (advisory lock)", async () => {
    const schema = uniqueSchema("control_race");
    const opened = await Promise.all(
      [1, 2, 3, 4].map(() => openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "unused", schema, logger: collectingLogger().logger })),
    );
    try {
      const [first] = opened;
      if (first === undefined) throw new Error("no database");
      expect(await tables(first)).toEqual(TABLES);
      expect(await first.query("SELECT version FROM schema_migrations")).toHaveLength(MIGRATIONS.length);
    } finally {
      await opened[0]?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await Promise.all(opened.map((db) => db.close()));
    }
  });

  // PGlite loads parts of itself with a dynamic import(), which jest's module sandbox refuses
  // (without --experimental-vm-modules); so this case runs the built package in a plain node process.
  it("runs the same migrations and statements on embedded PGlite (the outbox's among them), and reopens its data dir", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "flowzone-pglite-"));
    try {
      const script = `
        const { openDatabase, applyMigrations } = require(${JSON.stringify(CONTROL_DIST)});
        (async () => {
          const dataDir = ${JSON.stringify(dataDir)};
          const db = await openDatabase({ dataDir });
          const tables = (await db.query(${JSON.stringify(TABLES_SQL)})).map((row) => row.name);
          await db.query(${JSON.stringify(INSERT_SQL)}, [JSON.stringify(["x", "y"]), "2026-01-01T00:00:00.123Z", 9007199254]);
          await db.transaction(async (tx) => { await tx.query("UPDATE violation_signatures SET count = 0"); throw new Error("x"); }).catch(() => undefined);
          const [row] = await db.query(${JSON.stringify(SELECT_SQL)});
          const store = require(${JSON.stringify(OUTBOX_STORE_DIST)});
          await db.transaction((tx) => store.enqueueRecords(tx, [
            { target: "control", key: "zone/z", value: Buffer.from([0, 1, 255]) },
            { target: "control", key: "exception/e", value: null },
          ], Date.now()));
          const pending = await store.pendingRecords(db, 10);
          const leases = [await store.claimDrainLease(db, "a", 60000), await store.claimDrainLease(db, "b", 60000)];
          await store.releaseDrainLease(db, "a");
          leases.push(await store.claimDrainLease(db, "b", 60000));
          await store.markPublished(db, pending.map((record) => record.id), Date.now());
          const outbox = {
            pending: pending.map(({ target, key, value }) => ({ target, key, value: value === null ? null : [...value] })),
            leases,
            afterMark: (await store.pendingRecords(db, 10)).length,
          };
          await db.close();
          const again = await openDatabase({ dataDir });
          const reapplied = await applyMigrations(again);
          await again.close();
          process.stdout.write(JSON.stringify({ driver: db.driver, tables, row, reapplied, outbox }));
        })().catch((error) => { console.error(error); process.exit(1); });`;
      const child = TestProcess.start("the PGlite script", process.execPath, ["-e", script], { env: process.env });
      const exit = await child.exited;
      if (exit.code !== 0) throw new Error(`the PGlite script exited with ${JSON.stringify(exit)}\n${child.output()}`);
      // A child's output may still be arriving when its exit is reported: wait until it parses.
      const result = await waitUntil("the PGlite script's result on its stdout", () => JSON.parse(child.stdout) as Result, () => true, { timeoutMs: 5_000, intervalMs: 20 });
      expect(result.driver).toBe("pglite");
      expect(result.tables).toEqual(TABLES);
      expect(result.row).toEqual({ labels: ["x", "y"], count: 9_007_199_254, last_seen: "2026-01-01T00:00:00.123Z", total: 9_007_199_254 });
      expect(result.reapplied).toEqual([]);
      expect(result.outbox).toEqual({
        pending: [
          { target: "control", key: "zone/z", value: [0, 1, 255] },
          { target: "control", key: "exception/e", value: null },
        ],
        leases: [true, false, true],
        afterMark: 0,
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
