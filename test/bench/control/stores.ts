/**
 * The two stores the control plane runs on, each fresh for one run: a private schema on the
 * PostgreSQL server (dropped after), and PGlite in a temporary directory (removed after). Both
 * opened with openDatabase, so the schema, its migrations and triggers are the ones flowzone runs.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { openDatabase, type Database } from "@flowzone/control";
import type { Logger } from "@flowzone/logging";

import { onExit } from "../common/children";
import type { StoreKind } from "./settings";

/** The server the test suite uses (README); FLOWZONE_TEST_DATABASE_URL points elsewhere. */
const SERVER_URL = process.env.FLOWZONE_TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export interface BenchStore {
  readonly kind: StoreKind;
  /** For the report: which database, where. */
  readonly name: string;
  readonly db: Database;
  /** Closes the database and removes everything the run wrote. */
  drop(): Promise<void>;
}

export async function openStore(kind: StoreKind, logger: Logger): Promise<BenchStore> {
  if (kind === "server") {
    const schema = `bench_control_${randomBytes(6).toString("hex")}`;
    const db = await openDatabase({ databaseUrl: SERVER_URL, dataDir: "unused", schema, logger });
    return {
      kind,
      name: `PostgreSQL server (${new URL(SERVER_URL).host}, schema ${schema})`,
      db,
      async drop() {
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await db.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "flowzone-bench-control-"));
  onExit(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const db = await openDatabase({ dataDir: dir, logger });
  return {
    kind,
    name: "PGlite (embedded, temporary directory)",
    db,
    async drop() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
