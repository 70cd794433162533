import { SINK_CACHE_LIMIT } from "./compiled-bundle";
import { INITIAL_STATE } from "./runtime-state";
import { bananaZone, engineOf, LABELS, writeOf } from "./testing/bundles";
import type { RuntimeState, Write, ZoneException } from "./types";
import { WriteError } from "./write-error";

const NO_EXPORT = ["rules:", "  - name: no-export", "    deny: [kafka:export-*, svc:banana-ranker]"].join("\n");
const engine = engineOf([...LABELS, bananaZone(NO_EXPORT)]);
const banana = (fields: Partial<Write>): Write => writeOf({ labels: ["banana"], ...fields });
const rulesOf = (write: Write, subject = engine): string[] =>
  subject.decide(write).violations.map((violation) => `${violation.zone}/${violation.rule}`);

describe("boundary rule", () => {
  it.each([
    ["kafka:banana-events", []],
    ["kafka:banana-", []],
    ["svc:banana-ranker", ["banana/no-export"]],
    ["kafka:bananas", ["banana/boundary"]],
    ["svc:banana-ranker-v2", ["banana/boundary"]],
    ["kafka:export-daily", ["banana/boundary", "banana/no-export"]],
  ])("a banana write into %s violates %j", (sink, expected) => {
    expect(rulesOf(banana({ sink }))).toEqual(expected);
  });

  it("allows any sink for a declared purpose of the zone, but not for another or an empty purpose", () => {
    expect(rulesOf(banana({ sink: "svc:analytics", purpose: "banana-research" }))).toEqual([]);
    expect(rulesOf(banana({ sink: "svc:analytics", purpose: "ads" }))).toEqual(["banana/boundary"]);
    expect(rulesOf(banana({ sink: "svc:analytics", purpose: "" }))).toEqual(["banana/boundary"]);
  });

  it("still applies deny rules to a write with a purpose", () => {
    expect(rulesOf(banana({ sink: "kafka:export-daily", purpose: "banana-research" }))).toEqual(["banana/no-export"]);
  });

  it("does not apply to writes without a protected label", () => {
    expect(engine.decide(writeOf({ sink: "kafka:export-daily", labels: ["apple", "x"] }))).toEqual({
      allow: true,
      violations: [],
    });
  });

  it("returns one shared frozen decision for every allowed write without violations", () => {
    const first = engine.decide(banana({ sink: "kafka:banana-events" }));
    expect(engine.decide(writeOf({ labels: ["x"] }))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.violations)).toBe(true);
  });
});

describe("deny rules", () => {
  it("deny a member sink that matches a deny pattern", () => {
    const decision = engine.decide(banana({ sink: "svc:banana-ranker" }));
    expect(decision.allow).toBe(false);
    expect(decision.violations).toMatchObject([{ zone: "banana", rule: "no-export", enforced: true, labels: ["banana"] }]);
  });

  it("give a reason naming the sink and the pattern that matched", () => {
    const [violation] = engine.decide(banana({ sink: "svc:banana-ranker" })).violations;
    expect(violation?.reason).toContain("svc:banana-ranker");
    expect(violation?.reason).toContain('Rule "no-export" of zone "banana"');
  });

  it("report violations zone by zone in bundle order, boundary first", () => {
    const twoZones = engineOf([
      ...LABELS,
      "kind: Zone\nname: apple\nprotects: [apple]\nmode: logging\nrules:\n  - name: r1\n    deny: [kafka:*]\n  - name: r2\n    deny: [kafka:export-*]",
      bananaZone(NO_EXPORT),
    ]);
    expect(rulesOf(writeOf({ sink: "kafka:export-x", labels: ["banana", "apple"] }), twoZones)).toEqual([
      "apple/boundary",
      "apple/r1",
      "apple/r2",
      "banana/boundary",
      "banana/no-export",
    ]);
  });
});

describe("boundary reasons", () => {
  it("say what sink, why, and the ways out", () => {
    const [violation] = engine.decide(banana({ sink: "svc:analytics" })).violations;
    expect(violation?.reason).toBe(
      'Sink svc:analytics is outside zone "banana", which protects "banana", so it may not receive this data; ' +
        'write into a member such as kafka:banana-* or svc:banana-ranker, declare the purpose "banana-research", ' +
        "or ask the zone's owners (privacy-banana) for an exception.",
    );
  });
});

describe("labels", () => {
  it("union the write's labels with the labels of its sources", () => {
    expect(rulesOf(writeOf({ sink: "svc:analytics", sources: ["kafka:banana-events"] }))).toEqual(["banana/boundary"]);
    expect(rulesOf(writeOf({ sink: "svc:analytics", sources: ["kafka:plain", "table:dw.users"] }))).toEqual([]);
  });

  it("report the zone's protected labels the write carries, sorted", () => {
    const pii = engineOf([
      ...LABELS,
      "kind: Zone\nname: pii\nprotects: [pii.email, banana, apple]\nmode: enforcement",
    ]);
    const decide = (write: Write): readonly string[] | undefined => pii.decide(write).violations[0]?.labels;
    expect(decide(writeOf({ labels: ["pii.email", "banana", "x"] }))).toEqual(["banana", "pii.email"]);
    expect(decide(writeOf({ labels: ["banana"], sources: ["table:dw.users"] }))).toEqual(["apple", "banana", "pii.email"]);
    expect(decide(writeOf({ labels: ["pii.email"] }))).toEqual(["pii.email"]);
  });
});

describe("write errors", () => {
  const rejection = (write: Write): Pick<WriteError, "code" | "field" | "value"> & { message: string } => {
    try {
      engine.decide(write);
    } catch (error) {
      if (error instanceof WriteError) return { code: error.code, field: error.field, value: error.value, message: error.message };
      throw error;
    }
    throw new Error("the write was accepted");
  };

  it.each([
    [writeOf({ producer: "" }), "missing_field", "producer", ""],
    [writeOf({ producer: "orders" }), "malformed_asset", "producer", "orders"],
    [writeOf({ sink: "" }), "missing_field", "sink", ""],
    [writeOf({ sink: "Kafka:orders" }), "malformed_asset", "sink", "Kafka:orders"],
    [writeOf({ labels: ["banana", "bananna"] }), "unknown_label", "labels[1]", "bananna"],
    [writeOf({ sources: ["kafka:plain", "kafka:nowhere"] }), "unknown_source", "sources[1]", "kafka:nowhere"],
    [writeOf({ sources: ["nowhere"] }), "malformed_asset", "sources[0]", "nowhere"],
  ] as const)("%j is rejected with %s on %s", (write, code, field, value) => {
    const error = rejection(write);
    expect(error).toMatchObject({ code, field, value });
    expect(error.message).toContain(field);
    if (value !== "") expect(error.message).toContain(`"${value}"`);
  });

  it.each([
    ["producer", writeOf({ producer: `svc:${"p".repeat(3_000_000)}` }), 3_000_004],
    ["sink", writeOf({ sink: `kafka:${"é".repeat(200)}` }), 406],
    ["purpose", writeOf({ purpose: "x".repeat(257) }), 257],
  ] as const)("a %s over 256 bytes is too_long, naming its size and the bound, quoting only its start", (field, write, bytes) => {
    const error = rejection(write);
    expect(error).toMatchObject({ code: "too_long", field });
    expect(error.message).toBe(`${field} is ${bytes} bytes long; the longest accepted is 256 bytes (maxFieldBytes of the bundle's Defaults)`);
    expect(error.value.length).toBeLessThanOrEqual(65);
  });

  it("accepts fields of exactly the bound, counted in UTF-8 bytes, and honours maxFieldBytes of the Defaults", () => {
    expect(engine.decide(writeOf({ producer: `svc:${"p".repeat(252)}`, purpose: "é".repeat(128) })).allow).toBe(true);
    const strict = engineOf([...LABELS, "kind: Defaults\nmaxFieldBytes: 24", bananaZone(NO_EXPORT)]);
    expect(() => strict.decide(writeOf({ producer: `svc:${"p".repeat(20)}` }))).not.toThrow();
    expect(() => strict.decide(writeOf({ producer: `svc:${"p".repeat(21)}` }))).toThrow("producer is 25 bytes long; the longest accepted is 24 bytes");
  });

  it("quotes only the start of an over-long undeclared label", () => {
    const error = rejection(writeOf({ labels: ["l".repeat(100_000)] }));
    expect(error).toMatchObject({ code: "unknown_label", field: "labels[0]", value: `${"l".repeat(64)}…` });
    expect(error.message.length).toBeLessThan(200);
  });

  it("are WriteErrors with a name and message", () => {
    expect(() => engine.decide(writeOf({ labels: ["nope"] }))).toThrow(WriteError);
    expect(() => engine.decide(writeOf({ labels: ["nope"] }))).toThrow('labels[0] "nope" is not a declared label');
  });
});

describe("exceptions", () => {
  const NOW = 1_000_000;
  const grant = (fields: Partial<ZoneException>): RuntimeState => ({
    epoch: 7,
    zoneModes: new Map(),
    exceptions: [
      { id: "e1", zone: "banana", producer: "svc:app", sink: "svc:analytics", expiresAtMs: NOW + 1, ...fields },
    ],
  });
  const write = banana({ producer: "svc:app", sink: "svc:analytics" });

  it.each([
    ["an active exception", {}, []],
    ["an exception with glob patterns", { producer: "svc:*", sink: "svc:analy*" }, []],
    ["an expired exception", { expiresAtMs: NOW }, ["banana/boundary"]],
    ["an exception for another producer", { producer: "svc:other" }, ["banana/boundary"]],
    ["an exception for another sink", { sink: "svc:other" }, ["banana/boundary"]],
    ["an exception for another zone", { zone: "apple" }, ["banana/boundary"]],
  ] as const)("%s decides the boundary rule accordingly", (_, fields, expected) => {
    const excepted = engine.withState(grant(fields));
    expect(excepted.decide(write, NOW).violations.map((violation) => `${violation.zone}/${violation.rule}`)).toEqual(expected);
  });

  it("never exempt a write from a deny rule", () => {
    const excepted = engine.withState(grant({ sink: "kafka:export-daily", expiresAtMs: Number.MAX_SAFE_INTEGER }));
    expect(rulesOf(banana({ sink: "kafka:export-daily" }), excepted)).toEqual(["banana/no-export"]);
  });

  it("use the current time when none is given", () => {
    const soon = engine.withState(grant({ expiresAtMs: Date.now() + 60_000 }));
    const past = engine.withState(grant({ expiresAtMs: Date.now() - 1 }));
    expect(soon.decide(write).allow).toBe(true);
    expect(past.decide(write).allow).toBe(false);
  });
});

describe("runtime state", () => {
  it("overrides a zone's bundle mode without touching the original engine", () => {
    const flipped = engine.withState({ epoch: 3, zoneModes: new Map([["banana", "logging"]]), exceptions: [] });
    const write = banana({ sink: "svc:analytics" });
    expect(flipped.decide(write)).toMatchObject({ allow: true, violations: [{ rule: "boundary", mode: "logging", enforced: false }] });
    expect(engine.decide(write).allow).toBe(false);
    expect(flipped.effectiveZoneMode("banana")).toBe("logging");
    expect(engine.effectiveZoneMode("banana")).toBe("enforcement");
  });

  it("turns a zone off so that it reports nothing", () => {
    const off = engine.withState({ epoch: 4, zoneModes: new Map([["banana", "off"]]), exceptions: [] });
    expect(off.decide(banana({ sink: "kafka:export-daily" })).violations).toEqual([]);
  });

  it("versions decisions with the bundle digest and the control epoch", () => {
    expect(engine.version).toMatch(/^sha256:[0-9a-f]{64}@0$/);
    expect(engine.state).toBe(INITIAL_STATE);
    const later = engine.withState({ epoch: 12, zoneModes: new Map(), exceptions: [] });
    expect(later.version).toBe(`${engine.bundle.digest}@12`);
    expect(later.bundle).toBe(engine.bundle);
  });

  it("knows no mode for an unknown zone", () => {
    expect(engine.effectiveZoneMode("cherry")).toBeUndefined();
  });
});

describe("sink memo", () => {
  it("stays correct after more distinct sinks than it holds", () => {
    for (let i = 0; i <= SINK_CACHE_LIMIT + 5; i++) {
      const sink = i % 2 === 0 ? `kafka:banana-${i}` : `svc:other-${i}`;
      expect(engine.decide(banana({ sink })).allow).toBe(i % 2 === 0);
    }
    expect(engine.decide(banana({ sink: "kafka:banana-0" })).allow).toBe(true);
  });
});

describe("zone decision counts", () => {
  it("counts decisions per evaluated zone, allowed or not, and resets on take", () => {
    const counted = engineOf([...LABELS, bananaZone()]);
    counted.decide(banana({ sink: "kafka:banana-events" }));
    counted.decide(banana({ sink: "kafka:bananas" }));
    counted.decide(writeOf({ sink: "kafka:bananas", labels: ["apple"] }));
    expect(counted.takeZoneDecisions()).toEqual(new Map([["banana", 2]]));
    expect(counted.takeZoneDecisions()).toEqual(new Map());
  });

  it("does not count a zone whose mode is off", () => {
    const off = engineOf([...LABELS, bananaZone()]).withState({ ...INITIAL_STATE, epoch: 1, zoneModes: new Map([["banana", "off"]]) });
    off.decide(banana({ sink: "kafka:bananas" }));
    expect(off.takeZoneDecisions()).toEqual(new Map());
  });
});

describe("recurring violations", () => {
  it("are one frozen violation while sink, rule, mode and labels recur, and a new one when the mode changes", () => {
    const write = banana({ sink: "kafka:bananas" });
    const [first] = engine.decide(write).violations;
    expect(Object.isFrozen(first)).toBe(true);
    expect(engine.decide(banana({ sink: "kafka:bananas", producer: "svc:other" })).violations[0]).toBe(first);

    const logging = engine.withState({ ...INITIAL_STATE, epoch: 1, zoneModes: new Map([["banana", "logging"]]) });
    const [flipped] = logging.decide(write).violations;
    expect(flipped).toMatchObject({ zone: "banana", rule: "boundary", mode: "logging", enforced: false });
    expect(engine.decide(write).violations[0]).toMatchObject({ mode: "enforcement", enforced: true });
    expect(engine.decide(banana({ sink: "kafka:elsewhere" })).violations[0]?.reason).toContain("kafka:elsewhere");
  });

  it("make one frozen decision while a write breaks one recurring rule, and a new one when the violation changes", () => {
    const write = banana({ sink: "kafka:bananas" });
    const first = engine.decide(write);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.violations)).toBe(true);
    expect(first).toMatchObject({ allow: false, violations: [{ zone: "banana", rule: "boundary", enforced: true }] });
    expect(engine.decide(banana({ sink: "kafka:bananas", producer: "svc:other" }))).toBe(first);

    const logging = engine.withState({ ...INITIAL_STATE, epoch: 1, zoneModes: new Map([["banana", "logging"]]) });
    const flipped = logging.decide(write);
    expect(flipped).not.toBe(first);
    expect(flipped).toMatchObject({ allow: true, violations: [{ mode: "logging", enforced: false }] });
    expect(engine.decide(write)).toMatchObject({ allow: false, violations: [{ mode: "enforcement" }] });
  });

  it("name only the labels the write carries, whichever write came before", () => {
    const both = engineOf([...LABELS, bananaZone().replace("protects: [banana]", "protects: [banana, apple]")]);
    const sink = "kafka:bananas";
    expect(both.decide(writeOf({ sink, labels: ["banana", "apple"] })).violations[0]?.labels).toEqual(["apple", "banana"]);
    expect(both.decide(writeOf({ sink, labels: ["banana"] })).violations[0]?.labels).toEqual(["banana"]);
    expect(both.decide(writeOf({ sink, labels: ["apple"] })).violations[0]?.labels).toEqual(["apple"]);
    expect(both.decide(writeOf({ sink, labels: ["apple", "banana"] })).violations[0]?.labels).toEqual(["apple", "banana"]);
  });
});
