import { parseBundle } from "./parse-bundle";
import { bundleOf, errorsOf, LABELS } from "./testing/bundles";

const LABEL_FILE = "kind: Label\nname: banana\n---\nkind: Label\nname: apple\n";

describe("parseBundle accepts", () => {
  it("a bundle without Defaults, filling in enabled, logging, open, 24h, exceptions of at most 90 days and 64 labels and sources per write", () => {
    const bundle = bundleOf(...LABELS, "kind: Zone\nname: banana\nprotects: [banana]");
    expect(bundle.defaults).toEqual({ enabled: true, mode: "logging", failMode: "open", quietPeriodMs: 86_400_000, maxExceptionLifetimeMs: 90 * 86_400_000, maxFieldBytes: 256, maxLabels: 64, maxSources: 64 });
    expect(bundle.zones[0]).toEqual({
      name: "banana",
      description: "",
      owners: [],
      protects: ["banana"],
      members: [],
      purposes: [],
      mode: "logging",
      failMode: undefined,
      quietPeriodMs: 86_400_000,
      autoEnforce: false,
      rules: [],
    });
  });

  it("zone mode and quiet period from Defaults, fail mode left unset for evaluation", () => {
    const bundle = bundleOf(
      ...LABELS,
      "kind: Defaults\nenabled: false\nmode: enforcement\nfailMode: closed\nquietPeriod: 7d\nmaxExceptionLifetime: 14d\nmaxFieldBytes: 1024\nmaxLabels: 8\nmaxSources: 500",
      "kind: Zone\nname: banana\nprotects: [banana]\nrules:\n  - name: r\n    deny: [kafka:x]",
      "kind: Zone\nname: apple\nprotects: [apple]\nmode: off\nquietPeriod: 1h30m\nfailMode: open\nautoEnforce: true",
    );
    expect(bundle.defaults).toEqual({ enabled: false, mode: "enforcement", failMode: "closed", quietPeriodMs: 604_800_000, maxExceptionLifetimeMs: 14 * 86_400_000, maxFieldBytes: 1024, maxLabels: 8, maxSources: 500 });
    expect(bundle.zones.map((zone) => [zone.name, zone.mode, zone.failMode, zone.quietPeriodMs, zone.autoEnforce])).toEqual([
      ["banana", "enforcement", undefined, 604_800_000, false],
      ["apple", "off", "open", 5_400_000, true],
    ]);
    expect(bundle.zones[0]?.rules).toEqual([{ name: "r", deny: ["kafka:x"], mode: "inherit", failMode: undefined }]);
  });

  it("files in path order, documents in file order, empty documents ignored, labels declared anywhere", () => {
    const result = parseBundle([
      { path: "zones/b.yaml", content: "kind: Zone\nname: second\nprotects: [apple]\n---\n---\n# only a comment\n" },
      { path: "labels.yaml", content: LABEL_FILE },
      { path: "empty.yaml", content: "" },
      { path: "zones/a.yml", content: "---\nkind: Zone\nname: first\nprotects: [banana]\n" },
    ]);
    expect(result.ok && result.bundle.zones.map((zone) => zone.name)).toEqual(["first", "second"]);
  });

  it("assets with labels and owners, and test suites with their file and line", () => {
    const bundle = bundleOf(
      ...LABELS,
      "kind: Zone\nname: banana\nprotects: [banana]\nrules:\n  - name: r\n    deny: [kafka:x]",
      [
        "kind: TestSuite",
        "name: s",
        "tests:",
        "  - name: t",
        "    write: { producer: svc:a, sink: kafka:x, labels: [apple], sources: [kafka:banana-events] }",
        "    expect: { decision: deny, violations: [{ zone: banana, rule: r, enforced: true }, { zone: banana, rule: boundary }] }",
        "  - name: u",
        "    write: { producer: svc:a, sink: kafka:x, purpose: p }",
        "    expect: { decision: allow }",
      ].join("\n"),
    );
    expect(bundle.assets.get("kafka:banana-events")).toEqual({ id: "kafka:banana-events", labels: ["banana"], owner: undefined });
    // The labels, a separator, the 6-line zone, a separator: the suite starts on the next line.
    const firstLineOfSuite = LABELS.join("\n---\n").split("\n").length + 1 + 6 + 1 + 1;
    expect(bundle.testSuites).toEqual([
      {
        name: "s",
        file: "bundle.yaml",
        tests: [
          {
            name: "t",
            file: "bundle.yaml",
            line: firstLineOfSuite + 3,
            write: { producer: "svc:a", sink: "kafka:x", labels: ["apple"], sources: ["kafka:banana-events"], purpose: "" },
            expect: {
              decision: "deny",
              violations: [
                { zone: "banana", rule: "r", enforced: true },
                { zone: "banana", rule: "boundary", enforced: undefined },
              ],
            },
          },
          {
            name: "u",
            file: "bundle.yaml",
            line: firstLineOfSuite + 6,
            write: { producer: "svc:a", sink: "kafka:x", labels: [], sources: [], purpose: "p" },
            expect: { decision: "allow", violations: undefined },
          },
        ],
      },
    ]);
  });

  it("YAML 1.2 only: `off` is the string off", () => {
    expect(bundleOf(...LABELS, "kind: Zone\nname: z\nprotects: [x]\nmode: off").zones[0]?.mode).toBe("off");
  });
});

// Each case: files, and the exact errors expected (all of them, sorted by file and line).
const REJECTIONS: [string, Record<string, string>, string[]][] = [
  [
    "YAML syntax errors",
    { "labels.yaml": LABEL_FILE, "a.yaml": "kind: Zone\nname: [banana\n", "b.yaml": "kind: Label\nname: x\nname: y\n" },
    [
      "a.yaml:2: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "b.yaml:3: YAML syntax error: Map keys must be unique",
    ],
  ],
  [
    "unknown keys, at the key's line",
    {
      "labels.yaml": LABEL_FILE,
      "z.yaml":
        "kind: Zone\nname: banana\nprotects: [banana]\nmembrs: [svc:x]\nrules:\n  - name: r\n    deny: [svc:x]\n    mood: off\n",
    },
    [
      'z.yaml:4: unknown key "membrs" in zone "banana"; allowed keys are kind, name, description, owners, protects, members, purposes, mode, failMode, quietPeriod, autoEnforce, rules',
      'z.yaml:8: unknown key "mood" in rule "r" of zone "banana"; allowed keys are name, deny, mode, failMode',
    ],
  ],
  [
    "wrong types",
    {
      "labels.yaml": LABEL_FILE,
      "a.yaml": "kind: Asset\nid: kafka:a\nlabels: banana\n---\nkind: Asset\nid: kafka:b\nlabels: [banana, 3]\n---\nkind: Defaults\nenabled: yes\n",
    },
    [
      '"labels" of asset "kafka:a" must be a list of strings, not the string "banana"',
      '"labels" of asset "kafka:b" must be a list of non-empty strings, but item 2 is the number 3',
      '"enabled" of the Defaults document must be true or false, not the string "yes"',
    ].map((message, i) => `a.yaml:${[3, 7, 10][i] ?? 0}: ${message}`),
  ],
  [
    "undeclared labels in assets and zones",
    {
      "labels.yaml": LABEL_FILE,
      "zones.yaml": "kind: Asset\nid: kafka:a\nlabels: [banana, bananna]\n---\nkind: Zone\nname: banana\nprotects:\n  - banana\n  - bananna\n",
    },
    [
      'zones.yaml:3: asset "kafka:a" carries undeclared label "bananna"',
      'zones.yaml:9: zone "banana" protects undeclared label "bananna"',
    ],
  ],
  [
    "duplicate labels, assets, zones, rules and test suites",
    {
      "labels.yaml": LABEL_FILE,
      "more.yaml": [
        "kind: Label\nname: banana",
        "kind: Asset\nid: kafka:a",
        "kind: Asset\nid: kafka:a",
        "kind: Zone\nname: z\nprotects: [banana]\nrules:\n  - name: r\n    deny: [svc:x]\n  - name: r\n    deny: [svc:y]",
        "kind: Zone\nname: z\nprotects: [apple]",
        "kind: TestSuite\nname: s\ntests: []",
        "kind: TestSuite\nname: s\ntests: []",
      ].join("\n---\n"),
    },
    [
      "more.yaml:2: label \"banana\" is declared twice; the first declaration is at labels.yaml:2",
      'more.yaml:8: asset "kafka:a" is declared twice; the first declaration is at more.yaml:5',
      'more.yaml:16: zone "z" has two rules named "r" (the first at line 14)',
      'more.yaml:20: zone "z" is declared twice; the first declaration is at more.yaml:11',
      'more.yaml:28: test suite "s" is declared twice; the first declaration is at more.yaml:24',
    ],
  ],
  [
    "more than one Defaults",
    { "a.yaml": "kind: Defaults\nmode: logging\n", "b.yaml": "# defaults again\nkind: Defaults\n" },
    ["b.yaml:2: a bundle has at most one Defaults document; another is at a.yaml:1"],
  ],
  [
    "a zone with no or empty protects",
    { "z.yaml": "kind: Zone\nname: a\n---\nkind: Zone\nname: b\nprotects: []\n" },
    ['z.yaml:1: zone "a" is missing required key "protects"', 'z.yaml:6: zone "b" protects no label; list at least one in "protects"'],
  ],
  [
    "malformed asset ids and patterns",
    {
      "labels.yaml": LABEL_FILE,
      "z.yaml": "kind: Asset\nid: Kafka:orders\n---\nkind: Zone\nname: z\nprotects: [banana]\nmembers: [kafka:banana-*, svc:*, kafka orders]\nrules:\n  - name: r\n    deny: [nope]\n",
    },
    [
      'z.yaml:2: id "Kafka:orders" of asset "Kafka:orders" is not a well-formed asset id (<system>:<name>, e.g. kafka:orders)',
      `z.yaml:7: "members" of zone "z" has a malformed asset pattern "kafka orders" (<system>:<name>, e.g. kafka:orders, '*' globs within an id, e.g. kafka:orders-*)`,
      `z.yaml:10: "deny" of rule "r" of zone "z" has a malformed asset pattern "nope" (<system>:<name>, e.g. kafka:orders, '*' globs within an id, e.g. kafka:orders-*)`,
    ],
  ],
  [
    "maxFieldBytes out of range",
    { "labels.yaml": LABEL_FILE, "y.yaml": "kind: Defaults\nmaxFieldBytes: 8\n" },
    ['y.yaml:2: "maxFieldBytes" of the Defaults document must be a whole number from 16 to 4194304, not the number 8'],
  ],
  [
    "maxFieldBytes not a number",
    { "labels.yaml": LABEL_FILE, "y.yaml": "kind: Defaults\nmaxFieldBytes: many\n" },
    ['y.yaml:2: "maxFieldBytes" of the Defaults document must be a whole number from 16 to 4194304, not the string "many"'],
  ],
  [
    "label names and asset ids longer than maxFieldBytes",
    {
      "labels.yaml": `${LABEL_FILE}---\nkind: Label\nname: ${"l".repeat(40)}\n`,
      "z.yaml": "kind: Defaults\nmaxFieldBytes: 32\n---\nkind: Asset\nid: kafka:abcdefghijklmnopqrstuvwxyz0123456789\nlabels: [banana]\n",
    },
    [
      `labels.yaml:8: label "${"l".repeat(40)}" is 40 bytes long; the longest accepted is 32 bytes (maxFieldBytes of the bundle's Defaults)`,
      'z.yaml:5: asset "kafka:abcdefghijklmnopqrstuvwxyz0123456789" is 42 bytes long; the longest accepted is 32 bytes (maxFieldBytes of the bundle\'s Defaults)',
    ],
  ],
  [
    "malformed durations",
    { "labels.yaml": LABEL_FILE, "z.yaml": "kind: Defaults\nquietPeriod: 1y\n---\nkind: Zone\nname: z\nprotects: [banana]\nquietPeriod: 24\n" },
    [
      'z.yaml:2: "quietPeriod" of the Defaults document is not a valid duration: "1y" (use e.g. 90s, 15m, 24h, 7d or 1h30m)',
      'z.yaml:7: "quietPeriod" of zone "z" must be a string, not the number 24',
    ],
  ],
  [
    "unknown modes, fail modes and rule modes",
    {
      "labels.yaml": LABEL_FILE,
      "z.yaml":
        "kind: Defaults\nmode: strict\nfailMode: shut\n---\nkind: Zone\nname: z\nprotects: [banana]\nmode: inherit\nrules:\n  - name: r\n    deny: [svc:x]\n    mode: enforcing\n    failMode: closed\n",
    },
    [
      'z.yaml:2: unknown mode "strict" in the Defaults document; expected one of off, logging, enforcement',
      'z.yaml:3: unknown failMode "shut" in the Defaults document; expected one of open, closed',
      'z.yaml:8: unknown mode "inherit" in zone "z"; expected one of off, logging, enforcement',
      'z.yaml:12: unknown rule mode "enforcing" in rule "r" of zone "z"; expected one of inherit, off, logging, enforcement',
    ],
  ],
  [
    "rules that can never match, and the reserved rule name",
    {
      "labels.yaml": LABEL_FILE,
      "z.yaml": "kind: Zone\nname: z\nprotects: [banana]\nrules:\n  - name: a\n  - name: b\n    deny: []\n  - name: boundary\n    deny: [svc:x]\n",
    },
    [
      'z.yaml:5: rule "a" of zone "z" can never match: it has no "deny" patterns',
      'z.yaml:7: rule "b" of zone "z" can never match: it has no "deny" patterns',
      'z.yaml:8: zone "z" has a rule named "boundary"; that name is reserved for the zone\'s implicit rule',
    ],
  ],
  [
    "missing required fields",
    { "a.yaml": "kind: Label\ndescription: nameless\n---\nkind: Asset\nowner: me\n---\nkind: Zone\nprotects: []\n---\nkind: Zone\nname: \"\"\nprotects: [x]\n" },
    [
      'a.yaml:1: a Label document is missing required key "name"',
      'a.yaml:4: an Asset document is missing required key "id"',
      'a.yaml:7: a Zone document is missing required key "name"',
      'a.yaml:8: a Zone document protects no label; list at least one in "protects"',
      'a.yaml:11: "name" of a Zone document must not be empty',
      'a.yaml:12: zone "" protects undeclared label "x"',
    ],
  ],
  [
    "missing and unknown kinds, and documents that are not mappings",
    { "a.yaml": "name: banana\n---\nkind: Lable\nname: banana\n---\n- a list\n" },
    [
      'a.yaml:1: document has no "kind"; expected one of Defaults, Label, Asset, Zone, TestSuite',
      'a.yaml:3: unknown kind "Lable"; expected one of Defaults, Label, Asset, Zone, TestSuite',
      "a.yaml:6: a policy document must be a mapping, not a list",
    ],
  ],
  [
    "test suites: unknown keys, undeclared labels, unknown sources, unknown zones and rules",
    {
      "labels.yaml": LABEL_FILE + "---\nkind: Zone\nname: banana\nprotects: [banana]\n",
      "t.yaml": [
        "kind: TestSuite",
        "name: s",
        "tests:",
        "  - name: t",
        "    write: { producer: svc:a, sink: kafka:x, labels: [bananna], sources: [kafka:nowhere, bad] }",
        "    expect:",
        "      decision: deny",
        "      violations:",
        "        - { zone: cherry, rule: boundary }",
        "        - { zone: banana, rule: no-export }",
        "    expected: 1",
        "  - name: t",
        "    write: { producer: svc:a }",
        "    expect: { decision: maybe }",
      ].join("\n"),
    },
    [
      't.yaml:5: source "bad" of the write of test "t" of test suite "s" is not a well-formed asset id (<system>:<name>, e.g. kafka:orders)',
      't.yaml:5: test "t" of test suite "s" writes undeclared label "bananna"',
      't.yaml:5: test "t" of test suite "s" reads from unknown source "kafka:nowhere"; declare it as an Asset',
      't.yaml:9: test "t" of test suite "s" expects a violation of unknown zone "cherry"',
      't.yaml:10: test "t" of test suite "s" expects a violation of unknown rule "no-export" in zone "banana"',
      't.yaml:11: unknown key "expected" in test "t" of test suite "s"; allowed keys are name, write, expect',
      't.yaml:13: the write of test "t" of test suite "s" is missing required key "sink"',
      't.yaml:14: unknown decision "maybe" in the expectation of test "t" of test suite "s"; expected one of allow, deny',
    ],
  ],
];

describe("parseBundle rejects", () => {
  it.each(REJECTIONS)("%s", (_, files, expected) => {
    expect(errorsOf(files)).toEqual(expected);
  });

  it("all or nothing: one bad file fails the whole bundle", () => {
    const result = parseBundle([
      { path: "good.yaml", content: LABEL_FILE },
      { path: "bad.yaml", content: "kind: Zone\nname: z\nprotects: [cherry]\n" },
    ]);
    expect(result).toEqual({ ok: false, errors: [{ file: "bad.yaml", line: 3, message: 'zone "z" protects undeclared label "cherry"' }] });
  });
});
