import { Slab, WireWriter, utf8Length } from "./wire-writer";

describe("utf8Length", () => {
  it.each([
    ["", 0],
    ["decision-1", 10],
    ["ünïcode ✓", Buffer.byteLength("ünïcode ✓")],
    ["😀", 4],
    ["\ud800", 3],
    ["a".repeat(200), 200],
    [`${"a".repeat(60)}é`, 62],
  ])("gives %j the UTF-8 length Buffer.byteLength gives", (text, length) => {
    expect(utf8Length(text)).toBe(length);
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, "utf8"));
  });
});

describe("WireWriter.stringField", () => {
  it.each(["r-1", "x".repeat(48), "x".repeat(49), "ünïcode ✓", "😀 and \ud800"])("writes %j as Buffer.from does", (text) => {
    const length = Buffer.byteLength(text, "utf8");
    const writer = new WireWriter(1 + (length < 0x80 ? 1 : 2) + length);
    writer.stringField(1, text, length);
    const written = writer.finish();
    expect(written.subarray(written.length - length).toString("utf8")).toBe(Buffer.from(text, "utf8").toString("utf8"));
    expect(written.subarray(written.length - length)).toEqual(Buffer.from(text, "utf8"));
  });
});

describe("Slab", () => {
  it("hands out buffers that never overlap, a new slab once one is used up", () => {
    const slab = new Slab(1024);
    const taken = Array.from({ length: 40 }, (_, i) => {
      const buffer = slab.take(100);
      buffer.fill(i);
      return buffer;
    });
    taken.forEach((buffer, i) => {
      expect(buffer.length).toBe(100);
      expect(buffer.every((byte) => byte === i)).toBe(true);
    });
  });

  it("gives a message over a quarter of a slab a buffer of its own", () => {
    const slab = new Slab(1024);
    const small = slab.take(16);
    const large = slab.take(257);
    expect(large.length).toBe(257);
    expect(large.buffer).not.toBe(small.buffer);
    expect(slab.take(16).buffer).toBe(small.buffer);
  });

  it("backs a WireWriter", () => {
    const slab = new Slab(1024);
    const writer = new WireWriter(5, slab);
    writer.stringField(1, "abc", 3);
    expect([...writer.finish()]).toEqual([0x0a, 3, 0x61, 0x62, 0x63]);
  });
});

describe("WireWriter over a caller's buffer", () => {
  it("writes from the given position, and steps past bytes the caller wrote itself", () => {
    const buffer = Buffer.alloc(8, 0xee);
    const writer = new WireWriter(buffer, 2);
    writer.tag(1, 2);
    writer.varint(2);
    buffer[writer.position] = 0x61;
    buffer[writer.position + 1] = 0x62;
    writer.skip(2);
    expect(writer.position).toBe(6);
    expect([...buffer]).toEqual([0xee, 0xee, 0x0a, 2, 0x61, 0x62, 0xee, 0xee]);
  });
});
