/**
 * Whether stored backlog offsets still describe the partition being read. An offset means
 * something only for one incarnation of a topic: a new broker under an old database, a recreated
 * audit topic or a migrated cluster start counting at 0 again, and records there would be skipped
 * below the old offset without a word. kafkajs speaks no Metadata version that carries topic ids,
 * so the incarnation is told by three marks: the cluster id, the partition's end, and the id of
 * the last record counted, which must still sit at the offset before the stored one.
 */

/** What the store keeps beside a partition's next offset. */
export interface StoredPosition {
  readonly nextOffset: number;
  /** Cluster the offsets were counted on; null for rows stored before it was kept. */
  readonly clusterId: string | null;
  /** Id of the audit record at `nextOffset - 1`; null when unknown. */
  readonly lastRecordId: string | null;
}

/** What one fetched batch says about the partition now. */
export interface PartitionView {
  readonly clusterId: string;
  /** The partition's high watermark when the batch was fetched. */
  readonly highWatermark: number;
  /** The batch's records by offset: only their ids matter here ("" for a record without one). */
  readonly recordIds: ReadonlyMap<number, string>;
}

/**
 * Why the stored position no longer belongs to the partition being read, or undefined when it
 * still does (or nothing was stored yet).
 */
export function incarnationChange(stored: StoredPosition, now: PartitionView): string | undefined {
  if (stored.clusterId !== null && stored.clusterId !== now.clusterId) {
    return `the topic is now on Kafka cluster ${now.clusterId}, its offsets were counted on cluster ${stored.clusterId}`;
  }
  if (stored.nextOffset > now.highWatermark) {
    return `the stored offset ${stored.nextOffset} lies beyond the partition's end (${now.highWatermark})`;
  }
  const idThere = now.recordIds.get(stored.nextOffset - 1);
  if (stored.lastRecordId !== null && idThere !== undefined && idThere !== "" && idThere !== stored.lastRecordId) {
    return `the record at offset ${stored.nextOffset - 1} is ${idThere}, not ${stored.lastRecordId} that was counted there`;
  }
  return undefined;
}
