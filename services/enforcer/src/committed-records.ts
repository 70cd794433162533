import type { KafkaMessage } from "kafkajs";

/**
 * A record as kafkajs 2.2.4 decodes it (`batch.rawMessages`), before it drops transaction markers
 * and the records it takes for aborted ones.
 */
export type RawRecord = KafkaMessage & {
  readonly isControlRecord: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
};

/** A transaction marker's type (its key: version int16, then type int16): 1 commit, 0 abort. */
const COMMIT = 1;

/**
 * Which records of one partition were committed, told by the transaction markers themselves.
 * kafkajs filters aborted records by the fetch's list of aborted transactions one per record read,
 * so a fetch overlapping several of them lets some through; a re-drive that read those would
 * forward records the enforcer never committed. Here a transactional record is held until its
 * producer's marker: released on commit, dropped on abort. Records are fed in offset order;
 * a record below the position (read again after a rewind) is ignored, and one released before is
 * never released twice.
 */
export class CommittedRecords {
  /** The records of each producer's transaction whose marker is not read yet. */
  private readonly pending = new Map<string, RawRecord[]>();
  /** Offsets released while a transaction was pending: what a rewind to that transaction reads again. */
  private readonly released = new Set<string>();

  /** @param position the next offset to read */
  constructor(public position: bigint) {}

  /** Feeds a fetched batch's raw records; returns the committed records they complete, in marker order. */
  feed(records: readonly RawRecord[]): KafkaMessage[] {
    const out: KafkaMessage[] = [];
    const release = (record: RawRecord): void => {
      if (this.released.has(record.offset)) return;
      if (this.pending.size > 0) this.released.add(record.offset);
      out.push(record);
    };
    for (const record of records) {
      const offset = BigInt(record.offset);
      if (offset < this.position) continue;
      this.position = offset + 1n;
      const producer = record.batchContext.producerId;
      if (record.isControlRecord) {
        const held = this.pending.get(producer) ?? [];
        this.pending.delete(producer);
        if (record.key?.readInt16BE(2) === COMMIT) for (const committed of held) release(committed);
      } else if (!record.batchContext.inTransaction) {
        release(record);
      } else {
        this.pending.set(producer, [...(this.pending.get(producer) ?? []), record]);
      }
    }
    if (this.pending.size === 0) this.released.clear();
    return out;
  }

  /**
   * kafkajs read a batch up to `nextOffset` (exclusive) without handing it over: every record in it
   * was a marker or taken for aborted. With nothing held that is all; with a transaction held, its
   * marker may have been in it, so the answer is where to read again (the first held record).
   */
  skipped(nextOffset: bigint): bigint | undefined {
    if (nextOffset <= this.position) return undefined;
    if (this.pending.size === 0) {
      this.position = nextOffset;
      return undefined;
    }
    let rewind = nextOffset;
    for (const held of this.pending.values()) for (const record of held) if (BigInt(record.offset) < rewind) rewind = BigInt(record.offset);
    this.pending.clear();
    this.position = rewind;
    return rewind;
  }

  /** Whether every record below `end` was read and settled (released, dropped, or never transactional). */
  settledBelow(end: bigint): boolean {
    if (this.position < end) return false;
    for (const held of this.pending.values()) if (held.some((record) => BigInt(record.offset) < end)) return false;
    return true;
  }
}
