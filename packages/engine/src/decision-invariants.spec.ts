/**
 * Engine invariants on random small bundles (up to three zones over three labels, members,
 * purposes, up to two extra rules each, every zone and rule mode, master switch on or off, runtime
 * zone modes over the bundle's) and random writes (docs/reference/evaluation.md):
 * - a write is denied if and only if one of its violations is enforced, and a violation is
 *   enforced exactly when its mode is enforcement (never off);
 * - each violation's mode is the lattice's: the least strict of the zone's (runtime, else bundle)
 *   mode and the rule's own, `inherit` adding nothing;
 * - raising zone modes never turns a deny into an allow nor drops a violation; lowering them
 *   never turns an allow into a deny;
 * - with the master switch off every write is allowed with no violations.
 */
import fc from "fast-check";
import { PolicyEngine } from "./policy-engine";
import { parseBundle } from "./parse-bundle";
import { formatBundleError } from "./bundle-error";
import type { Decision, Mode, RuleMode, RuntimeState, Write } from "./types";

/** Runs per property; each parses one bundle and decides a few writes. */
const RUNS = 200;

const MODES: readonly Mode[] = ["off", "logging", "enforcement"];
const RANK: Readonly<Record<Mode, number>> = { off: 0, logging: 1, enforcement: 2 };
const LABELS = ["a", "b", "c"];
const ASSETS = ["kafka:src-1", "kafka:src-2"];
const SINKS = ["kafka:in-1", "kafka:out-1", "kafka:out-2", "svc:x", "svc:y"];
const PATTERNS = ["kafka:in-*", "kafka:out-1", "svc:*", "kafka:*", "kafka:*-2"];
const PURPOSES = ["research", "ads"];

interface RuleModel {
  readonly deny: string[];
  readonly mode: RuleMode;
}
interface ZoneModel {
  readonly protects: string[];
  readonly members: string[];
  readonly purposes: string[];
  readonly mode: Mode;
  readonly rules: RuleModel[];
}
interface BundleModel {
  readonly enabled: boolean;
  readonly assets: string[][];
  readonly zones: ZoneModel[];
}

const subset = <T>(items: readonly T[], minLength = 0): fc.Arbitrary<T[]> => fc.subarray([...items], { minLength });
const mode = fc.constantFrom(...MODES);

const bundleModel: fc.Arbitrary<BundleModel> = fc.record({
  enabled: fc.boolean(),
  assets: fc.tuple(...ASSETS.map(() => subset(LABELS))),
  zones: fc.array(
    fc.record({
      protects: subset(LABELS, 1),
      members: subset(PATTERNS),
      purposes: subset(PURPOSES),
      mode,
      rules: fc.array(fc.record({ deny: subset(PATTERNS, 1), mode: fc.constantFrom<RuleMode>("inherit", ...MODES) }), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

const write: fc.Arbitrary<Write> = fc.record({
  producer: fc.constantFrom("svc:p", "kafka:in-1"),
  sink: fc.constantFrom(...SINKS),
  labels: subset(LABELS),
  sources: subset(ASSETS),
  purpose: fc.constantFrom("", ...PURPOSES, "other"),
});

/** Runtime modes for some zones of a bundle of `count` zones (undefined: the bundle's mode). */
const runtimeModes = (count: number): fc.Arbitrary<(Mode | undefined)[]> => fc.array(fc.option(mode, { nil: undefined }), { minLength: count, maxLength: count });

const list = (items: readonly string[]): string => `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;

function engineOf(model: BundleModel, enabled = model.enabled): PolicyEngine {
  const documents = [
    `kind: Defaults\nenabled: ${enabled}`,
    ...LABELS.map((label) => `kind: Label\nname: ${label}`),
    ...ASSETS.map((id, i) => `kind: Asset\nid: ${id}\nlabels: ${list(model.assets[i] ?? [])}`),
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
  return PolicyEngine.compile(result.bundle);
}

function stateOf(modes: readonly (Mode | undefined)[]): RuntimeState {
  const zoneModes = new Map<string, Mode>();
  modes.forEach((m, z) => {
    if (m !== undefined) zoneModes.set(`z${z}`, m);
  });
  return { epoch: 1, zoneModes, exceptions: [] };
}

const keyOf = (v: Decision["violations"][number]): string => `${v.zone}/${v.rule}`;

describe("decision invariants on random bundles", () => {
  it("deny if and only if some violation is enforced; enforced exactly in enforcement mode", () => {
    fc.assert(
      fc.property(bundleModel.chain((model) => fc.tuple(fc.constant(model), runtimeModes(model.zones.length), fc.array(write, { minLength: 1, maxLength: 4 }))), ([model, modes, writes]) => {
        const engine = engineOf(model).withState(stateOf(modes));
        for (const w of writes) {
          const decision = engine.decide(w, 0);
          expect(decision.allow).toBe(!decision.violations.some((v) => v.enforced));
          for (const v of decision.violations) {
            expect(v.mode).not.toBe("off");
            expect(v.enforced).toBe(v.mode === "enforcement");
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("gives each violation the lattice's mode: the least strict of the zone's mode and the rule's", () => {
    fc.assert(
      fc.property(bundleModel.chain((model) => fc.tuple(fc.constant(model), runtimeModes(model.zones.length), fc.array(write, { minLength: 1, maxLength: 4 }))), ([model, modes, writes]) => {
        const engine = engineOf(model).withState(stateOf(modes));
        for (const w of writes) {
          for (const v of engine.decide(w, 0).violations) {
            const z = Number(v.zone.slice(1));
            const zone = model.zones[z];
            const zoneMode = model.enabled ? (modes[z] ?? zone?.mode ?? "off") : "off";
            const ruleMode = v.rule === "boundary" ? "inherit" : (zone?.rules[Number(v.rule.slice(1))]?.mode ?? "inherit");
            const expected = ruleMode === "inherit" || RANK[zoneMode] <= RANK[ruleMode] ? zoneMode : ruleMode;
            expect(v.mode).toBe(expected);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("raising zone modes never allows a denied write nor drops a violation; lowering never denies an allowed one", () => {
    const scenario = bundleModel.chain((model) =>
      fc.tuple(fc.constant(model), runtimeModes(model.zones.length), runtimeModes(model.zones.length), fc.array(write, { minLength: 1, maxLength: 4 })),
    );
    fc.assert(
      fc.property(scenario, ([model, first, second, writes]) => {
        // Pointwise: `low` is never stricter than `high`, zone by zone (bundle mode where unset).
        const low = first.map((m, z) => lesser(m ?? model.zones[z]?.mode ?? "off", second[z] ?? model.zones[z]?.mode ?? "off"));
        const high = first.map((m, z) => greater(m ?? model.zones[z]?.mode ?? "off", second[z] ?? model.zones[z]?.mode ?? "off"));
        const engine = engineOf(model);
        const lower = engine.withState(stateOf(low));
        const higher = engine.withState(stateOf(high));
        for (const w of writes) {
          const atLow = lower.decide(w, 0);
          const atHigh = higher.decide(w, 0);
          if (!atLow.allow) expect(atHigh.allow).toBe(false);
          if (atHigh.allow) expect(atLow.allow).toBe(true);
          const kept = new Map(atHigh.violations.map((v) => [keyOf(v), v.mode]));
          for (const v of atLow.violations) {
            expect(kept.has(keyOf(v))).toBe(true);
            expect(RANK[kept.get(keyOf(v)) ?? "off"]).toBeGreaterThanOrEqual(RANK[v.mode]);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("allows every write with no violations when Defaults say enabled: false, whatever the runtime modes", () => {
    fc.assert(
      fc.property(bundleModel.chain((model) => fc.tuple(fc.constant(model), runtimeModes(model.zones.length), fc.array(write, { minLength: 1, maxLength: 4 }))), ([model, modes, writes]) => {
        const engine = engineOf(model, false).withState(stateOf(modes));
        for (const w of writes) expect(engine.decide(w, 0)).toEqual({ allow: true, violations: [] });
      }),
      { numRuns: RUNS },
    );
  });
});

function lesser(a: Mode, b: Mode): Mode {
  return RANK[a] <= RANK[b] ? a : b;
}

function greater(a: Mode, b: Mode): Mode {
  return RANK[a] >= RANK[b] ? a : b;
}
