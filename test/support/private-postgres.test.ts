// The private PostgreSQL of test/support: fault tests of the control plane stop, kill and
// restart it; here it proves it does each, keeping its data and its address.
import { Client } from "pg";

import { startPrivatePostgres, type PrivatePostgres } from "./private-postgres";

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows as unknown[];
  } finally {
    await client.end();
  }
}

describe("a private PostgreSQL server", () => {
  let pg: PrivatePostgres;

  afterAll(async () => {
    await pg.dispose();
  });

  it("serves on its own port, refuses connections while stopped or killed, and keeps its data across restarts", async () => {
    pg = await startPrivatePostgres();
    expect(pg.port).not.toBe(5432);
    await query(pg.url, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");

    await pg.stop();
    await expect(query(pg.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await pg.start();
    expect(await query(pg.url, "SELECT n FROM kept")).toEqual([{ n: 7 }]);

    await pg.kill();
    await expect(query(pg.url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await pg.start();
    expect(await query(pg.url, "SELECT n FROM kept")).toEqual([{ n: 7 }]);
  }, 120_000);
});
