import type { EncodedAuditRecord } from "./audit-record";
import type { SpoolPosition } from "./disk-spool";

/** The records one offer appended to the spool: the spool sequence number of the first, and where they end. */
export interface SpooledOffer {
  readonly firstSeq: number;
  readonly records: readonly EncodedAuditRecord[];
  readonly end: SpoolPosition;
}

/** Records taken for one send, in spool order, and where the spool's cursor goes once Kafka has them. */
export interface CachedBatch {
  readonly records: EncodedAuditRecord[];
  readonly end: SpoolPosition;
}

/**
 * The newest spooled offers, kept in memory as well so that a batch reaches Kafka without reading
 * the disk back. Bounded by records: an offer that does not fit is on disk only, and the writer
 * reads that gap back from the spool. Push and take are O(1) amortised (a head index instead of
 * `Array.shift`), so `offer` stays cheap on the request path whatever the backlog.
 */
export class SpoolCache {
  private entries: SpooledOffer[] = [];
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {}

  /** Records held. */
  get records(): number {
    return this.size;
  }

  /** Keeps the offer when it fits; returns false when it does not (it is then on disk only). */
  push(offer: SpooledOffer): boolean {
    if (this.size + offer.records.length > this.capacity) return false;
    this.entries.push(offer);
    this.size += offer.records.length;
    return true;
  }

  /** The spool sequence number of the oldest record held, or undefined when nothing is. */
  firstSeq(): number | undefined {
    return this.entries[this.head]?.firstSeq;
  }

  /** Forgets the offers that begin before `seq`: they were delivered from the disk copy. */
  dropBefore(seq: number): void {
    for (let entry = this.entries[this.head]; entry !== undefined && entry.firstSeq < seq; entry = this.entries[this.head]) this.shift(entry);
  }

  /**
   * Takes the offers that follow on from `seq` without a gap, up to `maxRecords` records (at least
   * one offer, however large); undefined when the oldest offer held does not start at `seq`.
   */
  take(seq: number, maxRecords: number): CachedBatch | undefined {
    let entry = this.entries[this.head];
    if (entry === undefined || entry.firstSeq !== seq) return undefined;
    const records: EncodedAuditRecord[] = [];
    let end = entry.end;
    while (entry !== undefined && entry.firstSeq === seq + records.length && (records.length === 0 || records.length + entry.records.length <= maxRecords)) {
      for (const record of entry.records) records.push(record);
      end = entry.end;
      this.shift(entry);
      entry = this.entries[this.head];
    }
    return { records, end };
  }

  private shift(entry: SpooledOffer): void {
    this.head += 1;
    this.size -= entry.records.length;
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
