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
