import type { Logger } from "@flowzone/logging";
import pg from "pg";

import type { LeaderLock } from "./leader-lock";

/** Options for {@link createPgLeaderLock}: the store's own connection settings. */
export interface PgLeaderLockOptions {
  readonly connectionString: string;
  /** The `-c …` options of the store's pool (search_path, statement_timeout): the lock is the schema's. */
  readonly sessionOptions: string;
  /** How long connecting, and each statement on the lock's session, may take. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** First key of the advisory lock: flowzone's control-plane leadership ("flow" in ASCII). */
const LOCK_CLASS = 0x666c6f77;
/** Second key: the store's schema, so stores in different schemas of one database lead apart. */
const SCHEMA_KEY = "hashtext(coalesce(current_schema(), 'public'))";

/**
 * Leadership as a PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) on a connection
 * of its own, outside the pool, kept open for as long as the process runs. PostgreSQL releases the
 * lock when that session ends, so a leader that crashes or loses its connection frees it for a
 * follower. A statement that does not answer within `timeoutMs` (a network that went silent) ends
 * the session on this side and counts as the lock lost: a leader that cannot prove it still holds
 * the lock must not act as one.
 */
export function createPgLeaderLock(options: PgLeaderLockOptions): LeaderLock {
  const log = options.logger.child({ component: "leader-lock" });
  let session: pg.Client | undefined;
  let held = false;

  const end = async (): Promise<void> => {
    const ending = session;
    session = undefined;
    held = false;
    await ending?.end().catch(() => undefined);
  };
  const open = async (): Promise<pg.Client> => {
    if (session !== undefined) return session;
    const client = new pg.Client({
      connectionString: options.connectionString,
      options: options.sessionOptions,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      keepAlive: true,
    });
    client.on("error", (error) => {
      // Without a listener a broken socket would crash the process; the next check reports the loss.
      log.warn({ err: error }, "the leader lock's PostgreSQL session broke");
      if (session === client) {
        session = undefined;
        held = false;
      }
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    session = client;
    return client;
  };
  const ask = async (sql: string): Promise<boolean> => {
    const client = await open();
    try {
      const rows = (await client.query<{ answer: boolean }>(sql, [LOCK_CLASS])).rows;
      return rows[0]?.answer === true;
    } catch (error) {
      await end();
      throw error;
    }
  };

  return {
    async tryAcquire() {
      if (held) return true;
      held = await ask(`SELECT pg_try_advisory_lock($1, ${SCHEMA_KEY}) AS answer`);
      return held;
    },
    async stillHeld() {
      if (!held || session === undefined) return false;
      held = await ask(
        `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
           AND classid = $1::int4::oid AND objid = ${SCHEMA_KEY}::oid AND objsubid = 2) AS answer`,
      );
      return held;
    },
    release: end,
  };
}
