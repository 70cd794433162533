import { canonicalJson } from "./digest";
import { parseBundle } from "./parse-bundle";
import type { SourceFile } from "./types";

function digestOf(files: readonly SourceFile[]): string {
  const result = parseBundle(files);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.bundle.digest;
}

const LABELS = "kind: Label\nname: banana\n---\nkind: Label\nname: apple\ndescription: Apple data\n";
const ZONE = [
  "kind: Zone",
  "name: banana",
  "protects: [banana]",
  "members: [kafka:banana-*, svc:banana-ranker]",
  "mode: logging",
  "rules:",
  "  - { name: no-export, deny: [kafka:export-*] }",
].join("\n");
const BASE: SourceFile[] = [
  { path: "labels.yaml", content: LABELS },
  { path: "zones.yaml", content: ZONE },
];
const base = digestOf(BASE);

describe("bundle digest", () => {
  it("is sha256 of the canonical content", () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("does not change when YAML is reformatted: block style, quotes, comments, key order", () => {
    const reformatted = [
      "# the banana zone",
      "mode: 'logging'",
      "rules:",
      "  - deny:",
      '      - "kafka:export-*"',
      "    name: no-export",
      "members:",
      "  - kafka:banana-*",
      "  - svc:banana-ranker",
      "protects:   [ banana ]",
      "name: banana",
      "kind: Zone",
    ].join("\n");
    expect(digestOf([BASE[0] as SourceFile, { path: "zones.yaml", content: reformatted }])).toBe(base);
  });

  it("does not change when documents are reordered or moved between files", () => {
    const moved: SourceFile[] = [
      { path: "all.yaml", content: `${ZONE}\n---\nkind: Label\nname: apple\ndescription: Apple data\n` },
      { path: "z/banana.yml", content: "kind: Label\nname: banana\n" },
    ];
    expect(digestOf(moved)).toBe(base);
  });

  it("does not change when test suites are added", () => {
    const suite = "kind: TestSuite\nname: s\ntests:\n  - name: t\n    write: { producer: svc:a, sink: svc:banana-ranker }\n    expect: { decision: allow }\n";
    expect(digestOf([...BASE, { path: "tests.yaml", content: suite }])).toBe(base);
  });

  it.each([
    ["a zone mode", ZONE.replace("mode: logging", "mode: enforcement")],
    ["a member", ZONE.replace("svc:banana-ranker", "svc:banana-ranker2")],
    ["a rule's deny list", ZONE.replace("kafka:export-*", "kafka:export-x")],
    ["the order of rules", `${ZONE}\n  - { name: r2, deny: [svc:x] }`],
    ["an added zone", `${ZONE}\n---\nkind: Zone\nname: apple\nprotects: [apple]`],
    ["an added Defaults", `${ZONE}\n---\nkind: Defaults\nenabled: false`],
  ])("changes with %s", (_, zones) => {
    expect(digestOf([BASE[0] as SourceFile, { path: "zones.yaml", content: zones }])).not.toBe(base);
  });

  it("changes with a label's description", () => {
    expect(digestOf([{ path: "labels.yaml", content: LABELS.replace("Apple data", "Apples") }, BASE[1] as SourceFile])).not.toBe(base);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and keeps list order", () => {
    expect(canonicalJson({ b: [2, 1, { d: 1, c: null }], a: "x" })).toBe('{"a":"x","b":[2,1,{"c":null,"d":1}]}');
  });
});
