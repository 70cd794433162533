import fc from "fast-check";
import { compilePatterns, firstMatch, matchesAny } from "./asset-id";
import { compileGlob, matchesGlob } from "./glob";

/** Runs per property; each run draws a fresh glob (or pattern list) and id. */
const RUNS = 5_000;

/**
 * The reference: a textbook dynamic-programming matcher over UTF-16 code units, as simple as it
 * can be. `reachable[j]` holds when the glob read so far matches the first j characters of `id`.
 */
function referenceMatch(pattern: string, id: string): boolean {
  let reachable = Array.from({ length: id.length + 1 }, (_, j) => j === 0);
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const next = Array.from({ length: id.length + 1 }, () => false);
    for (let j = 0; j <= id.length; j++) {
      if (p === "*") next[j] = reachable[j] === true || (j > 0 && next[j - 1] === true);
      else next[j] = j > 0 && reachable[j - 1] === true && id[j - 1] === p;
    }
    reachable = next;
  }
  return reachable[id.length] === true;
}

/** The translation the engine used before: an anchored RegExp, `*` as `.*`, everything else escaped. */
function regExpMatch(pattern: string, id: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^(?:${source})$`, "s").test(id);
}

/**
 * A small alphabet, so random globs and ids share characters often: letters, the asset-id
 * punctuation, every regular-expression metacharacter, a newline and multi-byte characters
 * (one BMP character, one astral character that is a surrogate pair in UTF-16).
 */
const CHARACTERS = ["a", "b", "c", "-", ":", ".", "_", "/", "+", "?", "(", ")", "[", "]", "{", "}", "^", "$", "|", "\\", "\n", "é", "😀"];
const character = fc.constantFrom(...CHARACTERS);
const text = (maxLength: number): fc.Arbitrary<string> => fc.array(character, { maxLength }).map((chars) => chars.join(""));
/** A glob: literal runs and stars, so `**`, leading and trailing stars and empty segments all occur. */
const glob = fc.array(fc.oneof({ arbitrary: character, weight: 3 }, { arbitrary: fc.constant("*"), weight: 1 }), { maxLength: 10 }).map((parts) => parts.join(""));
/** An id that often matches `pattern`: every star replaced by random text, then maybe one character changed. */
const idFor = (pattern: string): fc.Arbitrary<string> =>
  fc.oneof(
    text(12),
    fc.tuple(fc.array(text(4), { minLength: pattern.split("*").length, maxLength: pattern.split("*").length }), fc.option(fc.tuple(fc.nat(), character)))
      .map(([fills, change]) => {
        const id = pattern.split("*").map((literal, i) => (i === 0 ? literal : (fills[i - 1] ?? "") + literal)).join("");
        if (change === null || id.length === 0) return id;
        const at = change[0] % id.length;
        return id.slice(0, at) + change[1] + id.slice(at + 1);
      }),
  );

/** Up to four patterns and an id that often matches one of them. */
const patternsAndId = fc
  .array(glob, { maxLength: 4 })
  .chain((patterns) => fc.tuple(fc.constant(patterns), fc.constantFrom("", ...patterns).chain(idFor)));

function matchesAlone(pattern: string, id: string): boolean {
  return matchesAny(compilePatterns([pattern]), id);
}

describe("glob matching against the reference matcher", () => {
  it("agrees with the dynamic-programming reference and the old RegExp on random globs and ids", () => {
    fc.assert(
      fc.property(glob.chain((pattern) => fc.tuple(fc.constant(pattern), idFor(pattern))), ([pattern, id]) => {
        const expected = referenceMatch(pattern, id);
        expect(regExpMatch(pattern, id)).toBe(expected);
        expect(matchesAlone(pattern, id)).toBe(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it("matches a pattern list exactly when one of its patterns matches, and names that pattern first", () => {
    fc.assert(
      fc.property(patternsAndId, ([patterns, id]) => {
        const first = patterns.find((pattern) => referenceMatch(pattern, id));
        expect(matchesAny(compilePatterns(patterns), id)).toBe(first !== undefined);
        expect(firstMatch(patterns, id)).toBe(first);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("glob matching examples", () => {
  it.each([
    ["*", "", true],
    ["*", "kafka:anything", true],
    ["**", "", true],
    ["**", "abc", true],
    ["a**b", "ab", true],
    ["a**b", "axyzb", true],
    ["a*", "a", true],
    ["*a", "a", true],
    ["*a", "", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "acb", false],
    ["kafka:orders", "kafka:orders", true],
    ["kafka:orders", "kafka:orders2", false],
    ["kafka:orders*", "kafka:orders", true],
    ["*kafka:orders*", "kafka:orders", true],
    // Prefix and suffix must not overlap.
    ["ab*ba", "aba", false],
    ["ab*ba", "abba", true],
    ["a*a", "a", false],
    ["a*a", "aa", true],
    ["aa*aa", "aaa", false],
    ["aa*aa", "aaaa", true],
    // Middle segments must fit between prefix and suffix.
    ["a*b*a", "aba", true],
    ["a*bb*b", "abb", false],
    ["a*bb*b", "abbb", true],
    ["x*-a-*-b-*-c", "x-a--b--c", true],
    ["x*-a-*-b-*-c", "x-a-b-c", false],
    ["x*-a-*-b-*-c", "x-b--a--c", false],
    // Regular-expression characters and multi-byte characters are literal.
    ["table:a.b*", "table:aXbc", false],
    ["table:a.b*", "table:a.bc", true],
    ["(a|b)*", "(a|b)", true],
    ["(a|b)*", "a", false],
    ["é*😀", "é-😀", true],
    ["é*😀", "😀", false],
  ])("%j against %j: %s", (pattern, id, expected) => {
    expect(referenceMatch(pattern, id)).toBe(expected);
    expect(matchesAlone(pattern, id)).toBe(expected);
  });

  it("keeps exact ids out of the glob list", () => {
    const matcher = compilePatterns(["kafka:a", "kafka:b-*", "svc:c"]);
    expect([...matcher.exact]).toEqual(["kafka:a", "svc:c"]);
    expect(matcher.globs).toHaveLength(1);
  });

  it("compiles a glob into prefix, non-empty middle segments and suffix", () => {
    expect(compileGlob("kafka:**-a-*-b-*-c")).toEqual({ prefix: "kafka:", middle: ["-a-", "-b-"], suffix: "-c", minLength: 14 });
    expect(compileGlob("*")).toEqual({ prefix: "", middle: [], suffix: "", minLength: 0 });
    expect(() => compileGlob("kafka:orders")).toThrow(/no "\*"/);
  });

  it("matches a long text with many near misses in one pass", () => {
    // Not timed: the benchmark measures speed. This is the backtracking shape of the old RegExp.
    const sink = `kafka:${"-a--b-".repeat(50_000)}x`;
    expect(matchesGlob(compileGlob("kafka:*-a-*-b-*-c"), sink)).toBe(false);
    expect(matchesGlob(compileGlob("kafka:*-a-*-b-*-c"), `${sink}-c`)).toBe(true);
  });
});
