import { DecisionIds } from "./decision-ids";

describe("DecisionIds", () => {
  it("issues distinct ids from one generator", () => {
    const ids = new DecisionIds();
    const seen = new Set(Array.from({ length: 10_000 }, () => ids.next()));
    expect(seen.size).toBe(10_000);
  });

  it("gives each process (generator) its own random prefix", () => {
    expect(new DecisionIds().next()).not.toBe(new DecisionIds().next());
  });

  it("is prefix, dash, base-36 counter", () => {
    const ids = new DecisionIds("abc");
    expect([ids.next(), ids.next()]).toEqual(["abc-1", "abc-2"]);
  });
});

describe("DecisionIds as bytes", () => {
  it("writes and measures each id as its text's UTF-8, whatever the prefix and the serial", () => {
    for (const prefix of ["abc", "ünï", "Zm9vYmFyYmF6"]) {
      const ids = new DecisionIds(prefix);
      for (const serial of [1, 35, 36, 46_655, 46_656, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
        const text = Buffer.from(ids.idOf(serial), "utf8");
        const target = Buffer.alloc(text.length + 4, 0xee);
        expect(ids.byteLength(serial)).toBe(text.length);
        expect(ids.write(serial, target, 2)).toBe(2 + text.length);
        expect(target).toEqual(Buffer.concat([Buffer.from([0xee, 0xee]), text, Buffer.from([0xee, 0xee])]));
      }
    }
  });

  it("numbers serials and ids from one counter", () => {
    const ids = new DecisionIds("abc");
    expect([ids.next(), ids.idOf(ids.nextSerial()), ids.next()]).toEqual(["abc-1", "abc-2", "abc-3"]);
  });
});
