import { CommittedRecords, type RawRecord } from "./committed-records";

function record(offset: number, producerId: string, inTransaction = true): RawRecord {
  return { offset: String(offset), key: null, value: Buffer.from(`v${offset}`), timestamp: "0", attributes: 0, headers: {}, isControlRecord: false, batchContext: { producerId, inTransaction } };
}

function marker(offset: number, producerId: string, commit: boolean): RawRecord {
  const key = Buffer.alloc(4);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return { offset: String(offset), key, value: null, timestamp: "0", attributes: 0, headers: {}, isControlRecord: true, batchContext: { producerId, inTransaction: true } };
}

const offsets = (records: readonly { offset: string }[]): number[] => records.map((r) => Number(r.offset));

describe("CommittedRecords", () => {
  it("releases a transaction's records at its commit marker and drops an aborted one's, interleaved producers included", () => {
    const reader = new CommittedRecords(0n);
    expect(reader.feed([record(0, "a"), record(1, "b"), record(2, "a"), marker(3, "b", false)])).toEqual([]);
    expect(offsets(reader.feed([record(4, "c", false), marker(5, "a", true), record(6, "b"), marker(7, "b", false)]))).toEqual([4, 0, 2]);
    expect(reader.settledBelow(8n)).toBe(true);
  });

  it("is not settled while a record below the end waits for its marker", () => {
    const reader = new CommittedRecords(0n);
    reader.feed([record(0, "a"), record(1, "a")]);
    expect(reader.settledBelow(2n)).toBe(false);
    expect(reader.settledBelow(0n)).toBe(true);
  });

  it("reads again from the first held record when kafkajs skipped a batch that may hold its marker, releasing nothing twice", () => {
    const reader = new CommittedRecords(0n);
    expect(offsets(reader.feed([record(0, "a"), record(1, "b"), marker(2, "b", true)]))).toEqual([1]);
    // The batch of offset 3 (a's commit marker) was never handed over.
    expect(reader.skipped(4n)).toBe(0n);
    expect(offsets(reader.feed([record(0, "a"), record(1, "b"), marker(2, "b", true), marker(3, "a", true)]))).toEqual([0]);
    expect(reader.settledBelow(4n)).toBe(true);
  });

  it("moves past a skipped batch when nothing is held, and ignores records below its position", () => {
    const reader = new CommittedRecords(5n);
    expect(reader.skipped(9n)).toBeUndefined();
    expect(offsets(reader.feed([record(8, "x", false), record(9, "x", false)]))).toEqual([9]);
    expect(reader.position).toBe(10n);
  });
});
