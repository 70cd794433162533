/**
 * What-if against the engine itself: on random pairs of small bundles (a current one under random
 * runtime modes and exceptions, and a candidate bundle or a flip of one zone) and random flows
 * (some carrying a label only one of the bundles declares), the answer equals what deciding every
 * flow with both engines directly says, list by list, and every list is ordered by traffic.
 */
import fc from "fast-check";
import { formatBundleError, parseBundle, PolicyEngine, WriteError, type Decision, type Mode, type RuntimeState, type Write } from "@flowzone/engine";

import type { InventoriedFlow } from "./flow-store";
import { compareOnFlows, type WhatIfEntry, type WhatIfOutcome } from "./what-if";

const RUNS = 200;
const NOW = Date.parse("2026-06-01T00:00:00Z");
const MODES: readonly Mode[] = ["off", "logging", "enforcement"];
/** `d` is declared by some bundles only: flows carrying it are undecidable under the others. */
const LABELS = ["a", "b", "c", "d"];
const SINKS = ["kafka:in-1", "kafka:out-1", "kafka:out-2", "svc:x"];
const PATTERNS = ["kafka:in-*", "kafka:out-1", "svc:*", "kafka:*"];

interface ZoneModel {
  readonly protects: string[];
  readonly members: string[];
  readonly purposes: string[];
  readonly mode: Mode;
  readonly rules: { deny: string[]; mode: Mode | "inherit" }[];
}
interface BundleModel {
  readonly declaresD: boolean;
  readonly zones: ZoneModel[];
}

const subset = <T>(items: readonly T[], minLength = 0): fc.Arbitrary<T[]> => fc.subarray([...items], { minLength });
const mode = fc.constantFrom(...MODES);

const bundleModel: fc.Arbitrary<BundleModel> = fc.record({
  declaresD: fc.boolean(),
  zones: fc.array(
    fc.record({
      protects: subset(["a", "b", "c"], 1),
      members: subset(PATTERNS),
      purposes: subset(["research"]),
      mode,
      rules: fc.array(fc.record({ deny: subset(PATTERNS, 1), mode: fc.constantFrom<Mode | "inherit">("inherit", ...MODES) }), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

const flow: fc.Arbitrary<InventoriedFlow> = fc.record({
  signature: fc.string({ minLength: 1, maxLength: 8 }),
  producer: fc.constantFrom("svc:p", "kafka:in-1"),
  sink: fc.constantFrom(...SINKS),
  labels: subset(LABELS),
  sources: fc.constant([]),
  purpose: fc.constantFrom("", "research"),
  count: fc.integer({ min: 1, max: 5 }),
  firstSeenMs: fc.constant(NOW - 3_600_000),
  lastSeenMs: fc.integer({ min: NOW - 3_600_000, max: NOW }),
});

/** A current state: runtime modes for some zones, and maybe an exception for svc:p in zone z0. */
const state: fc.Arbitrary<RuntimeState> = fc.record({ modes: fc.array(fc.option(mode, { nil: undefined }), { minLength: 3, maxLength: 3 }), excepted: fc.boolean() }).map(({ modes, excepted }) => ({
  epoch: 7,
  zoneModes: new Map(modes.flatMap((m, z) => (m === undefined ? [] : [[`z${z}`, m] as const]))),
  exceptions: excepted ? [{ id: "e1", zone: "z0", producer: "svc:p", sink: "kafka:*", expiresAtMs: NOW + 60_000 }] : [],
}));

const list = (items: readonly string[]): string => `[${items.join(", ")}]`;

function bundleOf(model: BundleModel): PolicyEngine["bundle"] {
  const documents = [
    ...LABELS.filter((label) => label !== "d" || model.declaresD).map((label) => `kind: Label\nname: ${label}`),
    ...model.zones.map((zone, z) =>
      [
        "kind: Zone",
        `name: z${z}`,
        `protects: ${list(zone.protects)}`,
        `members: ${list(zone.members)}`,
        `purposes: ${list(zone.purposes)}`,
        `mode: ${zone.mode}`,
        "rules:",
        ...zone.rules.flatMap((rule, r) => [`  - name: r${r}`, `    deny: ${list(rule.deny)}`, `    mode: ${rule.mode}`]),
      ].join("\n"),
    ),
  ];
  const result = parseBundle([{ path: "bundle.yaml", content: documents.join("\n---\n") }]);
  if (!result.ok) throw new Error(result.errors.map(formatBundleError).join("\n"));
  return result.bundle;
}

/** The candidate: another bundle under the same state, or the current engine with one zone flipped. */
const candidateChoice = fc.oneof(
  bundleModel.map((model) => ({ kind: "bundle" as const, model })),
  fc.record({ kind: fc.constant("flip" as const), zone: fc.integer({ min: 0, max: 2 }), to: mode }),
);

const scenario = fc.record({ current: bundleModel, state, candidate: candidateChoice, flows: fc.array(flow, { maxLength: 8 }) });

function decide(engine: PolicyEngine, write: Write): Decision | "refused" {
  try {
    return engine.decide(write, NOW);
  } catch (error) {
    if (error instanceof WriteError) return "refused";
    throw error;
  }
}

/** The lists as multisets of `zone/rule producer>sink [labels] purpose count`, order aside. */
function keys(entries: readonly WhatIfEntry[]): string[] {
  return entries.map((e) => `${e.zone}/${e.rule} ${e.producer}>${e.sink} [${e.labels.join(",")}] ${e.purpose} ${e.count} ${e.lastSeen.getTime()}`).sort();
}

/** What deciding every flow with both engines says, written out case by case. */
interface Answer {
  readonly newlyDenied: string[];
  readonly newlyAllowed: string[];
  readonly opened: string[];
  readonly resolved: string[];
  readonly invalid: string[];
  readonly flowsNewlyDenied: number;
}

function expected(current: PolicyEngine, candidate: PolicyEngine, flows: readonly InventoriedFlow[]): Answer {
  const lists: Record<"newlyDenied" | "newlyAllowed" | "opened" | "resolved", string[]> = { newlyDenied: [], newlyAllowed: [], opened: [], resolved: [] };
  const invalid: string[] = [];
  let flowsNewlyDenied = 0;
  for (const f of flows) {
    const before = decide(current, f);
    const after = decide(candidate, f);
    const key = (zone: string, rule: string): string => `${zone}/${rule} ${f.producer}>${f.sink} [${f.labels.join(",")}] ${f.purpose} ${f.count} ${f.lastSeenMs}`;
    if (before === "refused") continue;
    if (after === "refused") {
      invalid.push(`${f.producer}>${f.sink} [${f.labels.join(",")}] ${f.count}`);
      continue;
    }
    if (before.allow && !after.allow) flowsNewlyDenied++;
    for (const v of after.violations) {
      if (before.allow && v.enforced) lists.newlyDenied.push(key(v.zone, v.rule));
      if (!before.violations.some((w) => w.zone === v.zone && w.rule === v.rule)) lists.opened.push(key(v.zone, v.rule));
    }
    for (const v of before.violations) {
      if (after.allow && v.enforced) lists.newlyAllowed.push(key(v.zone, v.rule));
      if (!after.violations.some((w) => w.zone === v.zone && w.rule === v.rule)) lists.resolved.push(key(v.zone, v.rule));
    }
  }
  return {
    newlyDenied: lists.newlyDenied.sort(),
    newlyAllowed: lists.newlyAllowed.sort(),
    opened: lists.opened.sort(),
    resolved: lists.resolved.sort(),
    invalid: invalid.sort(),
    flowsNewlyDenied,
  };
}

function byTraffic(entries: readonly { count: number; lastSeen: Date }[]): boolean {
  return entries.every((e, i) => i === 0 || (entries[i - 1]?.count ?? 0) >= e.count);
}

function answerOf(outcome: WhatIfOutcome): Answer {
  return {
    newlyDenied: keys(outcome.newlyDenied),
    newlyAllowed: keys(outcome.newlyAllowed),
    opened: keys(outcome.opened),
    resolved: keys(outcome.resolved),
    invalid: outcome.invalid.map((f) => `${f.producer}>${f.sink} [${f.labels.join(",")}] ${f.count}`).sort(),
    flowsNewlyDenied: outcome.flowsNewlyDenied,
  };
}

describe("what-if", () => {
  it("equals deciding every flow with both engines directly, each list ordered by traffic", () => {
    fc.assert(
      fc.property(scenario, ({ current: model, state: runtime, candidate: choice, flows }) => {
        const current = PolicyEngine.compile(bundleOf(model), runtime);
        const candidate =
          choice.kind === "bundle"
            ? PolicyEngine.compile(bundleOf(choice.model), runtime)
            : current.withState({ ...runtime, zoneModes: new Map(runtime.zoneModes).set(`z${choice.zone}`, choice.to) });
        const outcome = compareOnFlows(current, candidate, flows, NOW);
        expect(answerOf(outcome)).toEqual(expected(current, candidate, flows));
        expect(outcome.flowsEvaluated).toBe(flows.length);
        for (const entries of [outcome.newlyDenied, outcome.newlyAllowed, outcome.opened, outcome.resolved, outcome.invalid]) expect(byTraffic(entries)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("names the flow a zone put in enforcement denies, with its count, and nothing for the unchanged engine", () => {
    const logging = bundleOf({ declaresD: false, zones: [{ protects: ["a"], members: ["kafka:in-*"], purposes: [], mode: "logging", rules: [] }] });
    const current = PolicyEngine.compile(logging);
    const flows: InventoriedFlow[] = [
      { signature: "s1", producer: "svc:p", sink: "kafka:out-1", labels: ["a"], sources: [], purpose: "", count: 3, firstSeenMs: NOW - 10, lastSeenMs: NOW - 5 },
      { signature: "s2", producer: "svc:p", sink: "svc:x", labels: ["a"], sources: [], purpose: "", count: 9, firstSeenMs: NOW - 10, lastSeenMs: NOW - 5 },
      { signature: "s3", producer: "svc:p", sink: "kafka:in-1", labels: ["a"], sources: [], purpose: "", count: 50, firstSeenMs: NOW - 10, lastSeenMs: NOW - 5 },
      { signature: "s4", producer: "svc:p", sink: "svc:x", labels: ["d"], sources: [], purpose: "", count: 1, firstSeenMs: NOW - 10, lastSeenMs: NOW - 5 },
    ];
    const flipped = compareOnFlows(current, current.withState({ epoch: 1, zoneModes: new Map([["z0", "enforcement"]]), exceptions: [] }), flows, NOW);
    expect(flipped.newlyDenied.map((e) => [e.zone, e.rule, e.sink, e.count])).toEqual([
      ["z0", "boundary", "svc:x", 9],
      ["z0", "boundary", "kafka:out-1", 3],
    ]);
    expect(flipped.flowsNewlyDenied).toBe(2);
    expect({ opened: flipped.opened, resolved: flipped.resolved, newlyAllowed: flipped.newlyAllowed, invalid: flipped.invalid }).toEqual({ opened: [], resolved: [], newlyAllowed: [], invalid: [] });
    // s4 carries a label the current policy does not declare: refused today, compared with nothing.
    expect(flipped.flowsEvaluated).toBe(4);
    const unchanged = compareOnFlows(current, PolicyEngine.compile(logging), flows, NOW);
    expect([unchanged.newlyDenied, unchanged.newlyAllowed, unchanged.opened, unchanged.resolved, unchanged.invalid, unchanged.flowsNewlyDenied]).toEqual([[], [], [], [], [], 0]);
  });

  it("lists a flow the candidate cannot decide as invalid, with the engine's reason", () => {
    const withD = bundleOf({ declaresD: true, zones: [{ protects: ["a"], members: [], purposes: [], mode: "logging", rules: [] }] });
    const withoutD = bundleOf({ declaresD: false, zones: [{ protects: ["a"], members: [], purposes: [], mode: "logging", rules: [] }] });
    const flows: InventoriedFlow[] = [{ signature: "s", producer: "svc:p", sink: "svc:x", labels: ["d"], sources: [], purpose: "", count: 4, firstSeenMs: NOW, lastSeenMs: NOW }];
    const outcome = compareOnFlows(PolicyEngine.compile(withD), PolicyEngine.compile(withoutD), flows, NOW);
    expect(outcome.invalid).toEqual([{ producer: "svc:p", sink: "svc:x", labels: ["d"], sources: [], purpose: "", count: 4, lastSeen: new Date(NOW), error: expect.stringContaining('"d"') as unknown }]);
    expect(outcome.newlyDenied).toEqual([]);
  });
});
