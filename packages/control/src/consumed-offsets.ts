import type { Queryable } from "./database";
import { incarnationChange, type StoredPosition } from "./offset-identity";

/**
 * The Kafka positions the control plane's consumers keep in PostgreSQL (`consumed_offsets`), one
 * row per topic and partition, changed in the same transaction as what the records counted: that
 * is what makes the audit backlog and the flow inventory count each record exactly once.
 */

/** What a fetched batch says about its partition, beside its records' offsets and ids. */
export interface PartitionFetch {
  readonly topic: string;
  readonly partition: number;
  readonly clusterId: string;
  /** The partition's high watermark at the fetch (a decimal string, as kafkajs gives it). */
  readonly highWatermark: string;
  /** The batch's records: their Kafka offsets (decimal strings) and ids ("" for a record without one). */
  readonly records: readonly { readonly offset: string; readonly id: string }[];
}

/** What {@link claimPartition} found: the locked stored position, or why it belongs to another incarnation. */
export type PartitionClaim =
  | { readonly reset: undefined; readonly nextOffset: number }
  /** The position was set back to 0 under the new incarnation; the caller reads the partition from its start. */
  | { readonly reset: string };

/**
 * Locks the partition's stored position in `tx` (creating it at 0) so concurrent consumers of the
 * same partition serialise, and checks it still belongs to the partition as fetched
 * ({@link incarnationChange}); when it does not, it is reset to 0 in the same transaction.
 */
export async function claimPartition(tx: Queryable, fetch: PartitionFetch, nowMs: number): Promise<PartitionClaim> {
  const stored = await lockPartition(tx, fetch.topic, fetch.partition, nowMs);
  const reset = incarnationChange(stored, {
    clusterId: fetch.clusterId,
    highWatermark: Number(fetch.highWatermark),
    recordIds: new Map(fetch.records.map((record) => [Number(record.offset), record.id])),
  });
  if (reset === undefined) return { reset, nextOffset: stored.nextOffset };
  await tx.query(
    "UPDATE consumed_offsets SET next_offset = 0, cluster_id = $3, last_record_id = NULL, updated_at = $4::timestamptz WHERE topic = $1 AND partition = $2",
    [fetch.topic, fetch.partition, fetch.clusterId, new Date(nowMs).toISOString()],
  );
  return { reset };
}

/** Stores the position after `last`, the last record of the batch counted, in the caller's transaction. */
export async function advancePartition(tx: Queryable, fetch: PartitionFetch, last: { readonly offset: string; readonly id: string }, nowMs: number): Promise<void> {
  await tx.query(
    "UPDATE consumed_offsets SET next_offset = $3, cluster_id = $4, last_record_id = $5, updated_at = $6::timestamptz WHERE topic = $1 AND partition = $2",
    [fetch.topic, fetch.partition, Number(last.offset) + 1, fetch.clusterId, last.id === "" ? null : last.id, new Date(nowMs).toISOString()],
  );
}

/** The next offset to consume per partition of `topic`, as stored with the counters. */
export async function storedOffsets(db: Queryable, topic: string): Promise<Map<number, number>> {
  // bigint comes back from pg as a string.
  const rows = await db.query<{ partition: number; next_offset: number | string }>(
    "SELECT partition, next_offset FROM consumed_offsets WHERE topic = $1",
    [topic],
  );
  return new Map(rows.map((row) => [row.partition, Number(row.next_offset)]));
}

async function lockPartition(tx: Queryable, topic: string, partition: number, nowMs: number): Promise<StoredPosition> {
  await tx.query(
    `INSERT INTO consumed_offsets (topic, partition, next_offset, updated_at) VALUES ($1, $2, 0, $3::timestamptz)
     ON CONFLICT (topic, partition) DO NOTHING`,
    [topic, partition, new Date(nowMs).toISOString()],
  );
  const rows = await tx.query<{ next_offset: number | string; cluster_id: string | null; last_record_id: string | null }>(
    "SELECT next_offset, cluster_id, last_record_id FROM consumed_offsets WHERE topic = $1 AND partition = $2 FOR UPDATE",
    [topic, partition],
  );
  const row = rows[0];
  return { nextOffset: Number(row?.next_offset ?? 0), clusterId: row?.cluster_id ?? null, lastRecordId: row?.last_record_id ?? null };
}
