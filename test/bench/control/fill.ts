/**
 * Fills the zone with open signatures in set-based statements (INSERT ... SELECT over
 * generate_series, CHUNK rows each): one row at a time through PGlite took longer than anyone
 * waits. The kept counts follow through migration 9's statement triggers, one aggregated upsert
 * per table and statement (migration 8's row trigger had to be paused here: it updated the
 * zone's counter row once per signature, and 50,000 rows in one INSERT passed the 30 s statement
 * timeout); the run checks the API reports them. Then ANALYZE on the server (PGlite's statistics
 * come from the control plane's tick).
 */
import { normaliseLabels, signatureId, type Database } from "@flowzone/control";

import { flow, FILLED_ZONE, LABELS, RULE, SINK } from "./backlog-flows";
import { int } from "./settings";

const CHUNK = 100_000;

/**
 * Signature i's row. Its id is signatureId's (the first 32 hex digits of the sha256 of the
 * canonical JSON), computed in SQL, so ingestion of the same flow would find the same row; one
 * second apart, newest first, so pages and keysets see distinct times.
 */
const INSERT_CHUNK = `
  INSERT INTO violation_signatures (id, zone, rule, producer, sink, labels, first_seen, last_seen, count, status)
  SELECT left(encode(sha256(convert_to('[' || to_json($3::text)::text || ',' || to_json($4::text)::text || ',' || to_json('svc:p-' || i)::text
                                       || ',' || to_json($5::text)::text || ',' || $6 || ']', 'UTF8')), 'hex'), 32),
         $3, $4, 'svc:p-' || i, $5, $6::jsonb, at, at, 1, 'open'
  FROM generate_series($1::int, $2::int) AS i, LATERAL (SELECT $7::timestamptz - i * interval '1 second' AS at) AS t`;

/** Fills signatures 0 .. n-1 of the workload; returns the milliseconds taken. */
export async function fillBacklog(db: Database, signatures: number, nowMs: number, progress: (line: string) => void): Promise<number> {
  const started = performance.now();
  const labels = JSON.stringify(normaliseLabels(LABELS));
  for (let from = 0; from < signatures; from += CHUNK) {
    const to = Math.min(signatures, from + CHUNK) - 1;
    await db.query(INSERT_CHUNK, [from, to, FILLED_ZONE, RULE, SINK, labels, new Date(nowMs).toISOString()]);
    progress(`filled ${int(to + 1)} of ${int(signatures)} signatures (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  // Statistics on the server, as its autovacuum gathers them minutes after such a fill. Without
  // them the planner takes the million rows for a few hundred and a page after a cursor took 4.2 s
  // (a bitmap scan of every row and a sort). PGlite runs no autovacuum: there the control plane's
  // tick gathers them (planner-statistics.ts), which the run calls after the fill.
  if (db.driver === "pg") await db.query("ANALYZE violation_signatures");
  await checkIds(db, signatures);
  return performance.now() - started;
}

/** The SQL ids must be signatureId's, or ingestion would count the workload's flows twice. */
async function checkIds(db: Database, signatures: number): Promise<void> {
  for (const i of [0, signatures - 1]) {
    const expected = signatureId(flow(i));
    const rows = await db.query<{ producer: string }>("SELECT producer FROM violation_signatures WHERE id = $1", [expected]);
    if (rows[0]?.producer !== flow(i).producer) throw new Error(`no filled signature has signature ${i}'s id ${expected} (signatureId): the SQL computes another`);
  }
}
