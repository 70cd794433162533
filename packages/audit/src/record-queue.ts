import type { EncodedAuditRecord } from "./audit-record";

/**
 * The bounded in-memory FIFO in front of Kafka. Push and take are O(1) amortised (a head index
 * instead of `Array.shift`), so `offer` stays cheap on the request path whatever the backlog.
 */
export class RecordQueue {
  private items: EncodedAuditRecord[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get free(): number {
    return this.capacity - this.length;
  }

  /** Appends all records, or none when they do not fit (returns false). */
  pushAll(records: readonly EncodedAuditRecord[]): boolean {
    if (records.length > this.free) return false;
    for (const record of records) this.items.push(record);
    return true;
  }

  /** The oldest `count` records, left in the queue. */
  peek(count: number): EncodedAuditRecord[] {
    return this.items.slice(this.head, this.head + Math.min(count, this.length));
  }

  /** Removes the oldest `count` records. */
  drop(count: number): void {
    this.head += Math.min(count, this.length);
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Removes and returns the oldest `count` records. */
  take(count: number): EncodedAuditRecord[] {
    const taken = this.peek(count);
    this.drop(taken.length);
    return taken;
  }
}
