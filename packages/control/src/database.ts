/**
 * The one door to SQL. Two drivers (a PostgreSQL server through `pg`, embedded PGlite) sit behind
 * it and speak the same dialect, so every statement is written once and tested on both.
 * Both drivers return `bigint` and `numeric` columns as JS numbers, `jsonb` parsed and
 * `timestamptz` as `Date`.
 */

import type { LeaderLock } from "./leader-lock";

/** A row as the drivers return it; callers read columns through the helpers below. */
export type Row = Record<string, unknown>;

/** Something that runs statements: the database itself or one open transaction. */
export interface Queryable {
  query<T extends object = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** A database with transactions. */
export interface Database extends Queryable {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * The backlog stores its Kafka offsets and its counters through one of these (exactly once).
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * The lock whose holder leads the control-plane replicas of this store: on a server, an
   * advisory lock on a session of its own; on PGlite (one process), always held.
   */
  leaderLock(): LeaderLock;
  /** Which driver serves it, for logs. */
  readonly driver: "pg" | "pglite";
  close(): Promise<void>;
}

/** PostgreSQL type ids the drivers parse into JS numbers (int8, numeric). */
export const NUMERIC_TYPE_IDS = { int8: 20, numeric: 1700 } as const;
