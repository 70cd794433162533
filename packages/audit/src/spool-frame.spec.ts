import { decodeFrames, encodeFrames, frameBytes } from "./spool-frame";

const last = { key: "zöne-ü", value: Buffer.from("x".repeat(1000)) };
const first = { key: "banana", value: Buffer.from([1, 2, 3]) };
const records = [
  first,
  { key: "pii", value: Buffer.alloc(0) },
  last,
];

describe("spool frames", () => {
  it("round-trips records, keys in UTF-8 and empty values included", () => {
    const bytes = encodeFrames(records);
    expect(bytes.length).toBe(records.reduce((sum, r) => sum + frameBytes(r), 0));
    expect(decodeFrames(bytes)).toEqual({ records, endOffset: bytes.length, stop: "end" });
  });

  it("reads at most maxRecords and says where it stopped", () => {
    const bytes = encodeFrames(records);
    const first = decodeFrames(bytes, 2);
    expect(first.records).toEqual(records.slice(0, 2));
    expect(decodeFrames(bytes.subarray(first.endOffset)).records).toEqual(records.slice(2));
  });

  it.each([1, 5, 8, 11, 500])("keeps the good prefix of a tail torn %i bytes into the last frame", (tornAt) => {
    const bytes = encodeFrames(records);
    const lastStart = bytes.length - frameBytes(last);
    const decoded = decodeFrames(bytes.subarray(0, lastStart + tornAt));
    expect(decoded).toEqual({ records: records.slice(0, 2), endOffset: lastStart, stop: "incomplete" });
  });

  it("detects a flipped bit by its checksum and keeps what came before", () => {
    const bytes = encodeFrames(records);
    const secondStart = frameBytes(first);
    bytes[secondStart + 9] = (bytes[secondStart + 9] ?? 0) ^ 0xff;
    expect(decodeFrames(bytes)).toEqual({ records: records.slice(0, 1), endOffset: secondStart, stop: "corrupt" });
  });

  it("reads a garbage length as corruption, not as a huge record to wait for", () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 2]);
    expect(decodeFrames(garbage).stop).toBe("corrupt");
  });

  it("refuses a key longer than a frame can name", () => {
    expect(() => encodeFrames([{ key: "k".repeat(70_000), value: Buffer.alloc(0) }])).toThrow(/key is 70000 bytes/);
  });
});
