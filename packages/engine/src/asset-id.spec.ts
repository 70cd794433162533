import { compilePatterns, isAssetId, isAssetPattern, matchesAny } from "./asset-id";

describe("asset ids", () => {
  it.each([
    ["kafka:orders", true],
    ["table:dw.users", true],
    ["svc:ads-ranker", true],
    ["s3:bucket/path_1.x", true],
    ["my_sys-2:Name", true],
    ["kafka:", false],
    [":orders", false],
    ["Kafka:orders", false],
    ["1kafka:orders", false],
    ["kafka orders", false],
    ["kafka:or ders", false],
    ["kafka:a:b", false],
    ["kafka:banana-*", false],
    ["", false],
  ])("%j is well formed: %s", (id, expected) => {
    expect(isAssetId(id)).toBe(expected);
  });

  it.each([
    ["kafka:banana-*", true],
    ["svc:*", true],
    ["*:orders", true],
    ["kafka:*-events-*", true],
    ["kafka:orders", true],
    ["kafka", false],
    ["kafka:", false],
    ["kafka:ban ana", false],
    ["KAFKA:*", false],
  ])("%j is a well-formed pattern: %s", (pattern, expected) => {
    expect(isAssetPattern(pattern)).toBe(expected);
  });
});

describe("pattern matching", () => {
  const matcher = compilePatterns(["kafka:banana-*", "svc:banana-ranker", "table:dw.*.users", "*:shared"]);

  it.each([
    ["kafka:banana-events", true],
    ["kafka:banana-", true],
    ["kafka:banana", false],
    ["kafka:apple-banana-events", false],
    ["svc:banana-ranker", true],
    ["svc:banana-ranker-2", false],
    ["table:dw.eu.users", true],
    ["table:dwxeu.users", false],
    ["s3:shared", true],
    ["s3:shared2", false],
  ])("%s matches: %s", (id, expected) => {
    expect(matchesAny(matcher, id)).toBe(expected);
  });

  it("treats regular-expression characters in patterns literally", () => {
    expect(matchesAny(compilePatterns(["table:a.b"]), "table:aXb")).toBe(false);
    expect(matchesAny(compilePatterns(["table:a.b*"]), "table:aXbc")).toBe(false);
    expect(matchesAny(compilePatterns(["table:a.b*"]), "table:a.bc")).toBe(true);
  });

  it("matches nothing when it has no patterns", () => {
    expect(matchesAny(compilePatterns([]), "svc:x")).toBe(false);
  });
});

describe("isAssetId", () => {
  it("agrees with the documented grammar on random strings", () => {
    const grammar = /^[a-z][a-z0-9_-]*:[A-Za-z0-9._/-]+$/;
    const alphabet = "az09_-:./AZ *é";
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    for (let i = 0; i < 20_000; i++) {
      let text = "";
      const length = next() % 8;
      for (let j = 0; j < length; j++) text += alphabet[next() % alphabet.length] ?? "";
      expect([text, isAssetId(text)]).toEqual([text, grammar.test(text)]);
    }
  });
});
