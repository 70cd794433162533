import type { EncodedAuditRecord } from "./audit-record";
import { SpoolCache, type SpooledOffer } from "./spool-cache";

const rec = (i: number): EncodedAuditRecord => ({ key: "zone", value: Buffer.from(`r${i}`) });
/** An offer of `count` records starting at spool sequence `firstSeq`; its end position encodes its last seq. */
const offer = (firstSeq: number, count: number): SpooledOffer => ({
  firstSeq,
  records: Array.from({ length: count }, (_, i) => rec(firstSeq + i)),
  end: { segment: 1, offset: firstSeq + count },
});
const values = (records: readonly EncodedAuditRecord[] | undefined): string[] => (records ?? []).map((r) => r.value.toString());

describe("SpoolCache", () => {
  it("takes whole offers in order up to the batch size, ending where the last one ends", () => {
    const cache = new SpoolCache(100);
    for (const [first, count] of [[0, 2], [2, 3], [5, 1]] as const) expect(cache.push(offer(first, count))).toBe(true);
    const batch = cache.take(0, 5);
    expect(values(batch?.records)).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    expect(batch?.end).toEqual({ segment: 1, offset: 5 });
    expect(cache.records).toBe(1);
    expect(cache.firstSeq()).toBe(5);
  });

  it("takes one offer larger than the batch size whole rather than none", () => {
    const cache = new SpoolCache(100);
    cache.push(offer(0, 7));
    expect(cache.take(0, 3)?.records).toHaveLength(7);
  });

  it("refuses an offer past its capacity, and stops a batch at the gap that leaves", () => {
    const cache = new SpoolCache(4);
    expect(cache.push(offer(0, 3))).toBe(true);
    expect(cache.push(offer(3, 2))).toBe(false); // on disk only: records 3 and 4
    expect(values(cache.take(0, 10)?.records)).toEqual(["r0", "r1", "r2"]);
    expect(cache.push(offer(5, 1))).toBe(true);
    expect(cache.take(3, 10)).toBeUndefined(); // the writer reads 3 and 4 back from disk first
    expect(cache.firstSeq()).toBe(5);
    expect(values(cache.take(5, 10)?.records)).toEqual(["r5"]);
  });

  it("forgets offers delivered from the disk copy", () => {
    const cache = new SpoolCache(100);
    cache.push(offer(0, 2));
    cache.push(offer(2, 2));
    cache.push(offer(4, 2));
    cache.dropBefore(4);
    expect(cache.firstSeq()).toBe(4);
    expect(cache.records).toBe(2);
    cache.dropBefore(100);
    expect(cache.firstSeq()).toBeUndefined();
    expect(cache.records).toBe(0);
  });
});
