/** PostgreSQL for tests: the server on 127.0.0.1:5432 (trust auth), a private schema per test. */
import { randomBytes } from "node:crypto";

import { openDatabase, type Database } from "@flowzone/control";

import { collectingLogger } from "./logger";

/** The test PostgreSQL server; FLOWZONE_TEST_DATABASE_URL points elsewhere. */
export const TEST_DATABASE_URL = process.env.FLOWZONE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other test uses. */
export function uniqueSchema(prefix = "control"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** A control store in a fresh schema of the test database; `drop()` removes the schema and closes the pool. */
export async function openTestDatabase(): Promise<{ db: Database; schema: string; drop: () => Promise<void> }> {
  const schema = uniqueSchema();
  const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "unused", schema, logger: collectingLogger().logger });
  return {
    db,
    schema,
    drop: async () => {
      await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await db.close();
    },
  };
}
