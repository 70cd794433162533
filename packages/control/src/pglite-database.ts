import { mkdir } from "node:fs/promises";

import { PGlite } from "@electric-sql/pglite";

import { NUMERIC_TYPE_IDS, type Database } from "./database";
import { soleLeaderLock } from "./leader-lock";

/**
 * A {@link Database} on embedded PostgreSQL (PGlite) in `dataDir`: `npm start` and `flowzone dev`
 * need no server. PGlite runs one statement at a time, so a transaction holds it exclusively;
 * that is also what makes its advisory locks trivially correct.
 */
export async function createPgliteDatabase(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const toNumber = (text: string): number => Number(text);
  const db = await PGlite.create(dataDir, {
    parsers: { [NUMERIC_TYPE_IDS.int8]: toNumber, [NUMERIC_TYPE_IDS.numeric]: toNumber },
  });
  return {
    driver: "pglite",
    async query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      const result = await db.query<T>(sql, params === undefined ? undefined : [...params]);
      return result.rows;
    },
    transaction: (work) =>
      db.transaction((tx) =>
        work({
          async query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]> {
            const result = await tx.query<T>(sql, params === undefined ? undefined : [...params]);
            return result.rows;
          },
        }),
      ),
    leaderLock: () => soleLeaderLock,
    close: () => db.close(),
  };
}
