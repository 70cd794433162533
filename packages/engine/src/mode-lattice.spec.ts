import { engineOf, LABELS, writeOf } from "./testing/bundles";
import type { Mode, RuleMode } from "./types";

type Row = [enabled: boolean, zone: Mode, rule: RuleMode, effective: Mode, enforced: boolean];

// Effective mode of an extra rule = least strict of (master switch, zone mode, rule mode).
const LATTICE: Row[] = [
  [true, "off", "inherit", "off", false],
  [true, "off", "off", "off", false],
  [true, "off", "logging", "off", false],
  [true, "off", "enforcement", "off", false],
  [true, "logging", "inherit", "logging", false],
  [true, "logging", "off", "off", false],
  [true, "logging", "logging", "logging", false],
  [true, "logging", "enforcement", "logging", false],
  [true, "enforcement", "inherit", "enforcement", true],
  [true, "enforcement", "off", "off", false],
  [true, "enforcement", "logging", "logging", false],
  [true, "enforcement", "enforcement", "enforcement", true],
  [false, "off", "inherit", "off", false],
  [false, "off", "off", "off", false],
  [false, "off", "logging", "off", false],
  [false, "off", "enforcement", "off", false],
  [false, "logging", "inherit", "off", false],
  [false, "logging", "off", "off", false],
  [false, "logging", "logging", "off", false],
  [false, "logging", "enforcement", "off", false],
  [false, "enforcement", "inherit", "off", false],
  [false, "enforcement", "off", "off", false],
  [false, "enforcement", "logging", "off", false],
  [false, "enforcement", "enforcement", "off", false],
];

function engineFor(enabled: boolean, zoneMode: Mode, ruleMode: RuleMode) {
  return engineOf([
    ...LABELS,
    `kind: Defaults\nenabled: ${enabled}`,
    [
      "kind: Zone",
      "name: banana",
      "protects: [banana]",
      "members: [svc:banana-ranker]",
      `mode: ${zoneMode}`,
      "rules:",
      "  - name: no-export",
      "    deny: [kafka:export-*]",
      `    mode: ${ruleMode}`,
    ].join("\n"),
  ]);
}

describe("mode lattice", () => {
  it.each(LATTICE)(
    "enabled %s, zone %s, rule %s: the rule is %s (enforced %s)",
    (enabled, zoneMode, ruleMode, effective, enforced) => {
      const decision = engineFor(enabled, zoneMode, ruleMode).decide(
        writeOf({ sink: "kafka:export-daily", labels: ["banana"] }),
      );
      const rule = decision.violations.find((violation) => violation.rule === "no-export");
      if (effective === "off") {
        expect(rule).toBeUndefined();
      } else {
        expect(rule).toMatchObject({ mode: effective, enforced });
      }
    },
  );

  it.each([
    [true, "off", undefined],
    [true, "logging", "logging"],
    [true, "enforcement", "enforcement"],
    [false, "off", undefined],
    [false, "logging", undefined],
    [false, "enforcement", undefined],
  ] as const)("enabled %s, zone %s: the boundary rule runs in %s", (enabled, zoneMode, effective) => {
    const engine = engineFor(enabled, zoneMode, "inherit");
    const boundary = engine
      .decide(writeOf({ sink: "svc:outside", labels: ["banana"] }))
      .violations.find((violation) => violation.rule === "boundary");
    expect(boundary?.mode).toBe(effective);
    expect(boundary?.enforced ?? false).toBe(effective === "enforcement");
    expect(engine.effectiveZoneMode("banana")).toBe(enabled ? zoneMode : "off");
  });

  it("denies only when some violation is enforced", () => {
    const write = writeOf({ sink: "kafka:export-daily", labels: ["banana"] });
    expect(engineFor(true, "enforcement", "logging").decide(write).allow).toBe(false); // boundary enforced
    expect(engineFor(true, "logging", "enforcement").decide(write).allow).toBe(true);
    expect(engineFor(false, "enforcement", "enforcement").decide(write)).toEqual({ allow: true, violations: [] });
  });

  it("lets a logging rule roll out inside an enforcing zone without denying member writes", () => {
    const engine = engineOf([
      ...LABELS,
      [
        "kind: Zone",
        "name: banana",
        "protects: [banana]",
        "members: [kafka:*]",
        "mode: enforcement",
        "rules:",
        "  - name: no-export",
        "    deny: [kafka:export-*]",
        "    mode: logging",
      ].join("\n"),
    ]);
    const decision = engine.decide(writeOf({ sink: "kafka:export-daily", labels: ["banana"] }));
    expect(decision.allow).toBe(true);
    expect(decision.violations).toMatchObject([{ rule: "no-export", mode: "logging", enforced: false }]);
  });
});
