/**
 * parseBundle on random YAML-ish files: pieces of real bundle documents (every kind, lists,
 * anchors and aliases, merge keys, block scalars, flow collections, `---` and `...`), broken
 * pieces (tabs, unterminated quotes and brackets, stray indentation), random text with unicode
 * and lone surrogates, and very long lines, in several files. Whatever the input, it never
 * throws, and a rejected bundle's every error names one of the given files and a line inside it.
 */
import fc from "fast-check";
import { parseBundle } from "./parse-bundle";
import type { SourceFile } from "./types";

/** Runs per property; each parses up to three files of up to 30 lines. */
const RUNS = 100;

const FRAGMENTS = [
  "kind: Defaults",
  "kind: Label",
  "kind: Asset",
  "kind: Zone",
  "kind: TestSuite",
  "kind: Nope",
  "kind: [Zone]",
  "name: banana",
  "name: apple",
  "name: ''",
  "name: 1",
  "id: kafka:banana-events",
  "id: not an id",
  "labels: [banana, apple]",
  "labels: banana",
  "protects: [banana]",
  "members: [kafka:banana-*, svc:*]",
  "purposes: [research]",
  "owners: [privacy]",
  "mode: enforcement",
  "mode: logging",
  "mode: off",
  "mode: sometimes",
  "failMode: closed",
  "enabled: false",
  "enabled: yes",
  "quietPeriod: 1d",
  "quietPeriod: forever",
  "maxExceptionLifetime: 30d",
  "maxFieldBytes: 16",
  "maxFieldBytes: 1e400",
  "autoEnforce: true",
  "rules:",
  "  - name: no-export",
  "    deny: [kafka:export-*]",
  "    mode: inherit",
  "tests:",
  "  - name: t1",
  "    write: {producer: svc:a, sink: kafka:b, labels: [banana], sources: [kafka:banana-events]}",
  "    expect: {decision: deny, violations: [{zone: banana, rule: boundary, enforced: true}]}",
  "    expect: maybe",
  "description: >",
  "  folded text",
  "description: |",
  "  literal text",
  "- item",
  "  - nested item",
  "? complex key",
  ": complex value",
  "[1, 2]: flow key",
  "base: &base {mode: logging, protects: [banana]}",
  "<<: *base",
  "ref: *base",
  "ref: *missing",
  "self: &loop [*loop]",
  "&anchor name: x",
  "name: !!binary aGVsbG8=",
  "name: !custom x",
  "---",
  "--- !!map",
  "...",
  "%YAML 1.2",
  "%TAG ! tag:example.com,2000:",
  "\tmode: logging",
  "mode:\tlogging",
  "name: 'unterminated",
  'name: "bad escape \\q"',
  "labels: [banana",
  "{",
  "}",
  "# a comment",
  "",
  "   ",
  "名前: 値 ✓ 😀",
  "\u00a0name: nbsp",
  "name: \ufeffbom",
];

/** One line: a fragment (maybe indented), random text, or a very long line. */
const line: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom("", "", "  ", "    ", "\t", " "), fc.constantFrom(...FRAGMENTS)).map(([indent, text]) => indent + text) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((text) => `name: ${text}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("name: ", "description: ", "- ", ""), fc.integer({ min: 1_000, max: 5_000 })).map(([key, length]) => key + "x".repeat(length)) },
);

const content: fc.Arbitrary<string> = fc
  .tuple(fc.array(line, { maxLength: 30 }), fc.constantFrom("\n", "\n", "\r\n"), fc.boolean())
  .map(([lines, newline, trailing]) => lines.join(newline) + (trailing ? newline : ""));

const files: fc.Arbitrary<SourceFile[]> = fc
  .uniqueArray(fc.constantFrom("bundle.yaml", "zones/banana.yaml", "labels.yml", "tests/t.yaml", "é.yaml"), { minLength: 1, maxLength: 3 })
  .chain((paths) => fc.tuple(...paths.map((path) => content.map((text): SourceFile => ({ path, content: text })))));

describe("parseBundle on random YAML", () => {
  it("never throws, and every error is at a line of one of the files", () => {
    fc.assert(
      fc.property(files, (given) => {
        const result = parseBundle(given);
        if (result.ok) return;
        const lineCounts = new Map(given.map((file) => [file.path, file.content.split("\n").length]));
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) {
          const count = lineCounts.get(error.file);
          expect(count).toBeDefined();
          expect(Number.isInteger(error.line)).toBe(true);
          expect(error.line).toBeGreaterThanOrEqual(1);
          expect(error.line).toBeLessThanOrEqual((count ?? 0) + 1);
          expect(error.message).not.toBe("");
        }
      }),
      { numRuns: RUNS },
    );
  });
});
