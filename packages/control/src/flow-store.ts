import type { Write } from "@flowzone/engine";

import { advancePartition, claimPartition, type PartitionFetch } from "./consumed-offsets";
import type { FlowReportFact } from "./convert-flows";
import type { Database, Queryable } from "./database";

/**
 * The flow inventory in PostgreSQL: every distinct flow the decision points report (`flows`), with
 * its decisions per hour (`flow_counts`) so a window's traffic is a sum of buckets. Reports are
 * added exactly once, with the partition's offset, and flows unseen for the retention age out.
 */

/** Flow counts are kept per hour: windows are days, and an hour keeps a 30-day flow at 720 rows. */
const FLOW_BUCKET_MS = 3_600_000;

/**
 * How long a flow unseen stays in the inventory by default: long enough that a monthly batch job's
 * flows are still listed (and weighed by what-if) when it next runs, short enough that the
 * inventory forgets producers and sinks that are gone.
 */
export const DEFAULT_FLOW_RETENTION_MS = 30 * 86_400_000;

/** One flow of the inventory (the write decided, its fields as reported), with its traffic in the queried window. */
export interface InventoriedFlow extends Write {
  readonly signature: string;
  /** Decisions in the queried window (whole hours: the hour `sinceMs` falls in counts in full). */
  readonly count: number;
  /** The start of the first window the flow was reported in. */
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/** Which flows {@link listFlows} answers; absent filters match every flow. */
export interface FlowQuery {
  /** Flows last seen at or after this time; their counts are summed from the hour it falls in. */
  readonly sinceMs: number;
  readonly producer?: string | undefined;
  readonly sink?: string | undefined;
  /** A label the write carried (not one its sources bring). */
  readonly label?: string | undefined;
  /**
   * Flows carrying one of `labels` or reading one of `sources`: what could touch a zone, found by
   * the store before the policy names each flow's zones exactly.
   */
  readonly touching?: { readonly labels: readonly string[]; readonly sources: readonly string[] } | undefined;
  /** Most flows answered; all when absent. */
  readonly limit?: number | undefined;
}

/** One consumed record of the flows topic: its offset, its id ({@link flowReportId}) and its report, or why it was refused. */
export type ConsumedFlowReport =
  | { readonly offset: string; readonly id: string; readonly report: FlowReportFact }
  /** Not counted: `refusal` says why ("" for a tombstone, which is no mistake). */
  | { readonly offset: string; readonly id: ""; readonly report: null; readonly refusal: string };

/** Consecutive records of one partition of the flows topic. */
export interface FlowBatch extends PartitionFetch {
  readonly records: readonly ConsumedFlowReport[];
}

/** What storing a batch did. */
export interface FlowBatchOutcome {
  /** Reports counted (those at or past the stored offset). */
  readonly added: number;
  /** Set when the stored offset belonged to another incarnation of the topic; nothing was counted. */
  readonly reset: string | undefined;
  /** The refused records at or past the stored offset: skipped now, never looked at again. */
  readonly refused: readonly ConsumedFlowReport[];
}

interface FlowRow {
  signature: string;
  producer: string;
  sink: string;
  labels: string[];
  sources: string[];
  purpose: string;
  first_seen: Date;
  last_seen: Date;
  count: number;
}

/** Flows seen since `sinceMs`, most traffic first (then signature). */
export async function listFlows(db: Queryable, query: FlowQuery): Promise<InventoriedFlow[]> {
  const rows = await db.query<FlowRow>(
    `SELECT f.signature, f.producer, f.sink, f.labels, f.sources, f.purpose, f.first_seen, f.last_seen, w.count
     FROM (SELECT signature, sum(count) AS count FROM flow_counts WHERE bucket_start >= $1::timestamptz GROUP BY signature) AS w
     JOIN flows AS f ON f.signature = w.signature
     WHERE f.last_seen >= $2::timestamptz
       AND ($3::text IS NULL OR f.producer = $3)
       AND ($4::text IS NULL OR f.sink = $4)
       AND ($5::text IS NULL OR f.labels @> jsonb_build_array($5::text))
       AND ($7::text[] IS NULL OR f.labels ?| $7::text[] OR f.sources ?| $8::text[])
     ORDER BY w.count DESC, f.signature
     LIMIT $6`,
    [
      new Date(bucketOf(query.sinceMs)).toISOString(),
      new Date(query.sinceMs).toISOString(),
      query.producer ?? null,
      query.sink ?? null,
      query.label ?? null,
      query.limit ?? null,
      query.touching === undefined ? null : [...query.touching.labels],
      query.touching === undefined ? null : [...query.touching.sources],
    ],
  );
  return rows.map((row) => ({
    signature: row.signature,
    producer: row.producer,
    sink: row.sink,
    labels: row.labels,
    sources: row.sources,
    purpose: row.purpose,
    count: row.count,
    firstSeenMs: new Date(row.first_seen).getTime(),
    lastSeenMs: new Date(row.last_seen).getTime(),
  }));
}

/**
 * Adds a batch of reports to the inventory exactly once: flows, their hourly counts and the
 * partition's next offset change in one transaction, and reports below the stored offset (a
 * redelivery after a crash or rebalance) are skipped under the partition's row lock. Several
 * decision points reporting one flow add up. When the stored offset belongs to another
 * incarnation of the topic the position is reset instead (see consumed-offsets.ts). Refused records
 * only move the offset; those not seen before are answered, for the caller to log once.
 */
export async function applyFlowBatch(db: Database, batch: FlowBatch, nowMs: number): Promise<FlowBatchOutcome> {
  if (batch.records.length === 0) return { added: 0, reset: undefined, refused: [] };
  return db.transaction(async (tx) => {
    const claim = await claimPartition(tx, batch, nowMs);
    if (claim.reset !== undefined) return { added: 0, reset: claim.reset, refused: [] };
    const fresh = batch.records.filter((record) => Number(record.offset) >= claim.nextOffset);
    const last = fresh.at(-1);
    if (last === undefined) return { added: 0, reset: undefined, refused: [] };
    const reports = fresh.flatMap((record) => (record.report === null ? [] : [record.report]));
    await upsertFlows(tx, reports);
    await addCounts(tx, reports);
    await advancePartition(tx, batch, last, nowMs);
    return { added: reports.length, reset: undefined, refused: fresh.filter((record) => record.report === null && record.refusal !== "") };
  });
}

/** Removes flows last seen before `beforeMs` and every count bucket older than it; answers how many flows went. */
export async function pruneFlows(db: Queryable, beforeMs: number): Promise<number> {
  const before = new Date(beforeMs).toISOString();
  const gone = await db.query<{ signature: string }>("DELETE FROM flows WHERE last_seen < $1::timestamptz RETURNING signature", [before]);
  await db.query("DELETE FROM flow_counts WHERE bucket_start < $1::timestamptz", [new Date(bucketOf(beforeMs)).toISOString()]);
  return gone.length;
}

function bucketOf(ms: number): number {
  return Math.floor(ms / FLOW_BUCKET_MS) * FLOW_BUCKET_MS;
}

/** New flows are stored as first reported; known ones widen their first/last seen and add up. Signature order keeps concurrent writers from deadlocking. */
async function upsertFlows(tx: Queryable, reports: readonly FlowReportFact[]): Promise<void> {
  const flows = new Map<string, { first: FlowReportFact; count: number; firstMs: number; lastMs: number }>();
  for (const report of reports) {
    const flow = flows.get(report.signature);
    if (flow === undefined) {
      flows.set(report.signature, { first: report, count: report.count, firstMs: report.windowStartMs, lastMs: report.lastSeenMs });
      continue;
    }
    flow.count += report.count;
    flow.firstMs = Math.min(flow.firstMs, report.windowStartMs);
    flow.lastMs = Math.max(flow.lastMs, report.lastSeenMs);
  }
  if (flows.size === 0) return;
  const sorted = [...flows.values()].sort((a, b) => (a.first.signature < b.first.signature ? -1 : 1));
  await tx.query(
    `INSERT INTO flows AS f (signature, producer, sink, labels, sources, purpose, first_seen, last_seen, count)
     SELECT s, p, k, l::jsonb, src::jsonb, pur, fs::timestamptz, ls::timestamptz, n
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
       AS r(s, p, k, l, src, pur, fs, ls, n)
     ON CONFLICT (signature) DO UPDATE SET
       first_seen = LEAST(f.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(f.last_seen, EXCLUDED.last_seen),
       count = f.count + EXCLUDED.count`,
    [
      sorted.map((flow) => flow.first.signature),
      sorted.map((flow) => flow.first.producer),
      sorted.map((flow) => flow.first.sink),
      sorted.map((flow) => JSON.stringify(flow.first.labels)),
      sorted.map((flow) => JSON.stringify(flow.first.sources)),
      sorted.map((flow) => flow.first.purpose),
      sorted.map((flow) => new Date(flow.firstMs).toISOString()),
      sorted.map((flow) => new Date(flow.lastMs).toISOString()),
      sorted.map((flow) => flow.count),
    ],
  );
}

/** Each report's decisions go to the hour of its last decision. */
async function addCounts(tx: Queryable, reports: readonly FlowReportFact[]): Promise<void> {
  const buckets = new Map<string, { signature: string; startMs: number; count: number }>();
  for (const report of reports) {
    const startMs = bucketOf(report.lastSeenMs);
    const key = `${report.signature}@${startMs}`;
    const bucket = buckets.get(key) ?? { signature: report.signature, startMs, count: 0 };
    bucket.count += report.count;
    buckets.set(key, bucket);
  }
  if (buckets.size === 0) return;
  const sorted = [...buckets.values()].sort((a, b) => (a.signature === b.signature ? a.startMs - b.startMs : a.signature < b.signature ? -1 : 1));
  await tx.query(
    `INSERT INTO flow_counts AS c (signature, bucket_start, count)
     SELECT s, b::timestamptz, n FROM unnest($1::text[], $2::text[], $3::bigint[]) AS r(s, b, n)
     ON CONFLICT (signature, bucket_start) DO UPDATE SET count = c.count + EXCLUDED.count`,
    [sorted.map((bucket) => bucket.signature), sorted.map((bucket) => new Date(bucket.startMs).toISOString()), sorted.map((bucket) => bucket.count)],
  );
}
