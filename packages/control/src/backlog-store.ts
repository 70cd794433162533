import type { AuditFact } from "./convert-audit";
import type { Database, Queryable } from "./database";
import { keepAuditEntries } from "./audit-window-store";
import { advancePartition, claimPartition, type PartitionFetch } from "./consumed-offsets";
import type { AuditEntry } from "./convert-audit-entry";
import { noteTrafficReports, type TrafficReport } from "./decision-point-store";
import { signatureId, type SignatureKey } from "./signature";
import { admitSignatures } from "./signature-limit";
import { lockZoneBacklogs } from "./zone-backlog-store";

/** Decision counts are kept per second: quiet periods in tests are seconds, in production days. */
export const DECISION_BUCKET_MS = 1000;

/**
 * How long the ids of counted records are kept: a partition read again from its start (its stored
 * offset lay beyond its end) counts none of the records of that window twice.
 */
export const RECORD_ID_RETENTION_MS = 7 * 86_400_000;

/** One consumed record: its Kafka offset, its id and what it said (null when it could not be decoded). */
export interface ConsumedRecord {
  /** Kafka offset as kafkajs gives it (a decimal string). */
  readonly offset: string;
  /** The audit record's id; "" when it has none (it could not be decoded). */
  readonly id: string;
  readonly fact: AuditFact | null;
  /** The record as the console lists it; null when it concerns no zone or could not be decoded. */
  readonly entry: AuditEntry | null;
}

/** Consecutive records of one partition, with what the fetch said about the partition. */
export interface ConsumedBatch extends PartitionFetch {
  readonly records: readonly ConsumedRecord[];
}

/** What storing a batch did. */
export interface BatchOutcome {
  /** Records counted (new, and not counted before under their id). */
  readonly added: number;
  /**
   * Set when the stored offset belonged to another incarnation of the topic: the position was
   * reset to 0 and nothing of the batch was counted; the caller reads the partition from its start.
   */
  readonly reset: string | undefined;
  /** Violations not stored per zone: their signatures were new and the zone had no room for them. */
  readonly notStored: ReadonlyMap<string, number>;
}

interface SignatureDelta {
  readonly key: SignatureKey;
  count: number;
  firstMs: number;
  lastMs: number;
  /** Highest control epoch the records were decided under; null when one of them named none. */
  epoch: number | null;
}

/**
 * Adds a batch to the backlog exactly once: counters, decision buckets and the partition's next
 * offset change in one transaction, and records below the stored offset (a redelivery after a
 * crash or rebalance) are skipped under a row lock, so whatever Kafka replays, each record counts
 * once; a record whose id was counted before is skipped too. When the stored offset belongs to
 * another incarnation of the topic (see {@link incarnationChange}), the position is reset instead.
 * A new signature of a zone that already holds `maxOpenPerZone` open ones is not stored; its
 * violations are counted for the zone instead ({@link admitSignatures}).
 */
export async function applyBacklogBatch(db: Database, batch: ConsumedBatch, nowMs: number, maxOpenPerZone: number): Promise<BatchOutcome> {
  const nothing = new Map<string, number>();
  if (batch.records.length === 0) return { added: 0, reset: undefined, notStored: nothing };
  return db.transaction(async (tx) => {
    const claim = await claimPartition(tx, batch, nowMs);
    if (claim.reset !== undefined) return { added: 0, reset: claim.reset, notStored: nothing };
    const fresh = batch.records.filter((record) => Number(record.offset) >= claim.nextOffset);
    const last = fresh.at(-1);
    if (last === undefined) return { added: 0, reset: undefined, notStored: nothing };
    const counted = await claimRecordIds(tx, fresh, nowMs);
    const { signatures, buckets, reports } = aggregate(counted);
    await lockZoneBacklogs(tx, [...signatures.values()].map((delta) => delta.key.zone));
    const { admitted, refused } = await admitSignatures(tx, [...signatures.values()], maxOpenPerZone);
    await upsertSignatures(tx, admitted);
    await keepAuditEntries(tx, counted.flatMap((record) => (record.entry === null ? [] : [record.entry])));
    await noteTrafficReports(tx, reports);
    for (const [bucket, decisions] of buckets) {
      const [zone, startMs] = JSON.parse(bucket) as [string, number];
      await tx.query(
        `INSERT INTO zone_decisions AS d (zone, bucket_start, decisions) VALUES ($1, $2::timestamptz, $3)
         ON CONFLICT (zone, bucket_start) DO UPDATE SET decisions = d.decisions + EXCLUDED.decisions`,
        [zone, new Date(startMs).toISOString(), decisions],
      );
    }
    await advancePartition(tx, batch, last, nowMs);
    return { added: counted.length, reset: undefined, notStored: refused };
  });
}

/** Forgets the ids of records counted before `beforeMs` ({@link RECORD_ID_RETENTION_MS}). */
export async function pruneRecordIds(db: Queryable, beforeMs: number): Promise<void> {
  await db.query("DELETE FROM consumed_records WHERE consumed_at < $1::timestamptz", [new Date(beforeMs).toISOString()]);
}

/** The records whose ids were not counted before (records without an id always count), their ids now kept. */
async function claimRecordIds(tx: Queryable, records: readonly ConsumedRecord[], nowMs: number): Promise<ConsumedRecord[]> {
  const ids = [...new Set(records.map((record) => record.id).filter((id) => id !== ""))];
  if (ids.length === 0) return [...records];
  const rows = await tx.query<{ record_id: string }>(
    `INSERT INTO consumed_records (record_id, consumed_at) SELECT id, $2::timestamptz FROM unnest($1::text[]) AS id
     ON CONFLICT (record_id) DO NOTHING RETURNING record_id`,
    [ids, new Date(nowMs).toISOString()],
  );
  const claimed = new Set(rows.map((row) => row.record_id));
  return records.filter((record) => {
    if (record.id === "") return true;
    // A batch holding the same id twice counts it once.
    if (!claimed.has(record.id)) return false;
    claimed.delete(record.id);
    return true;
  });
}

function aggregate(records: readonly ConsumedRecord[]): {
  signatures: Map<string, SignatureDelta>;
  buckets: Map<string, number>;
  reports: TrafficReport[];
} {
  const signatures = new Map<string, SignatureDelta>();
  const buckets = new Map<string, number>();
  const reports: TrafficReport[] = [];
  for (const { fact } of records) {
    if (fact === null || fact.kind === "ignored" || fact.zone === "") continue;
    if (fact.kind === "traffic") {
      const { reporter, zone, enforcementPoint, policyVersion, atMs } = fact;
      if (reporter !== "" && enforcementPoint !== null) reports.push({ reporter, zone, enforcementPoint, policyVersion, atMs });
      if (fact.decisions <= 0) continue;
      const bucket = JSON.stringify([fact.zone, Math.floor(fact.atMs / DECISION_BUCKET_MS) * DECISION_BUCKET_MS]);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + fact.decisions);
      continue;
    }
    const id = signatureId(fact);
    const delta = signatures.get(id);
    if (delta === undefined) {
      const key = { zone: fact.zone, rule: fact.rule, producer: fact.producer, sink: fact.sink, labels: fact.labels };
      signatures.set(id, { key, count: 1, firstMs: fact.atMs, lastMs: fact.atMs, epoch: fact.epoch });
    } else {
      delta.count += 1;
      delta.firstMs = Math.min(delta.firstMs, fact.atMs);
      delta.lastMs = Math.max(delta.lastMs, fact.atMs);
      delta.epoch = delta.epoch === null || fact.epoch === null ? null : Math.max(delta.epoch, fact.epoch);
    }
  }
  return { signatures, buckets, reports };
}

/**
 * Known signatures grow and new ones open, a statement each for the whole batch (the zones' counter
 * rows are held, so no other writer adds the same signatures in between). A resolved signature
 * reopens only when a record is newer than its resolution: records already in flight when someone
 * marked it fixed do not undo the fix. A signature resolved by a policy change or an exception also
 * needs the record to be decided under that change's epoch or a later one: a decision service
 * still on the old policy for the moments the change takes to reach it reports the flow again,
 * and that is not a recurrence.
 */
async function upsertSignatures(tx: Queryable, deltas: readonly SignatureDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const rows = JSON.stringify(
    deltas.map(({ key, count, firstMs, lastMs, epoch }) => ({
      id: signatureId(key),
      zone: key.zone,
      rule: key.rule,
      producer: key.producer,
      sink: key.sink,
      labels: key.labels,
      first_seen: new Date(firstMs).toISOString(),
      last_seen: new Date(lastMs).toISOString(),
      count,
      epoch,
    })),
  );
  const batch = `jsonb_to_recordset($1::jsonb) AS r(id text, zone text, rule text, producer text, sink text, labels jsonb,
    first_seen timestamptz, last_seen timestamptz, count bigint, epoch bigint)`;
  const recurs = "(s.status = 'resolved' AND r.last_seen > s.resolved_at AND (s.resolved_epoch IS NULL OR r.epoch IS NULL OR r.epoch >= s.resolved_epoch))";
  await tx.query(
    `UPDATE violation_signatures AS s SET
       first_seen = LEAST(s.first_seen, r.first_seen),
       last_seen = GREATEST(s.last_seen, r.last_seen),
       count = s.count + r.count,
       reopened = s.reopened + CASE WHEN ${recurs} THEN 1 ELSE 0 END,
       resolution = CASE WHEN ${recurs} THEN NULL ELSE s.resolution END,
       resolved_at = CASE WHEN ${recurs} THEN NULL ELSE s.resolved_at END,
       resolved_epoch = CASE WHEN ${recurs} THEN NULL ELSE s.resolved_epoch END,
       status = CASE WHEN ${recurs} THEN 'open' ELSE s.status END
     FROM ${batch} WHERE s.id = r.id`,
    [rows],
  );
  await tx.query(
    `INSERT INTO violation_signatures (id, zone, rule, producer, sink, labels, first_seen, last_seen, count, status, reopened)
     SELECT id, zone, rule, producer, sink, labels, first_seen, last_seen, count, 'open', 0 FROM ${batch}
     ON CONFLICT (id) DO NOTHING`,
    [rows],
  );
}
