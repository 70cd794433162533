/** PostgreSQL for tests: the server on 127.0.0.1:5432 (trust auth), a private schema per test. */
import { randomBytes } from "node:crypto";

import { openDatabase, type Database } from "@flowzone/control";
import { Client } from "pg";

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

/**
 * A fresh database on the test server, for processes that take only a `DATABASE_URL` (several
 * `flowzone control` replicas sharing one store); `drop()` removes it, ending any session a
 * killed process left behind.
 */
export async function createTestDatabase(prefix = "flowzone"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueSchema(prefix);
  await onTestServer(`CREATE DATABASE "${name}"`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onTestServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Runs one statement outside a transaction (CREATE and DROP DATABASE cannot run in one) on the test database. */
async function onTestServer(statement: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
