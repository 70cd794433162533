import { engineOf, LABELS, writeOf } from "./testing/bundles";
import type { FailMode } from "./types";

type Row = [rule: FailMode | undefined, zone: FailMode | undefined, defaults: FailMode | undefined, expected: FailMode];

// The most specific value set wins: rule, then zone, then Defaults (open without Defaults).
const RESOLUTION: Row[] = [
  [undefined, undefined, undefined, "open"],
  [undefined, undefined, "open", "open"],
  [undefined, undefined, "closed", "closed"],
  [undefined, "open", "closed", "open"],
  [undefined, "closed", "open", "closed"],
  [undefined, "closed", undefined, "closed"],
  ["open", "closed", "closed", "open"],
  ["closed", "open", "open", "closed"],
  ["closed", undefined, undefined, "closed"],
  ["open", undefined, "closed", "open"],
];

const line = (key: string, value: string | undefined, indent = ""): string =>
  value === undefined ? "" : `${indent}${key}: ${value}`;

function engineFor(rule: FailMode | undefined, zone: FailMode | undefined, defaults: FailMode | undefined, ruleMode = "inherit") {
  return engineOf([
    ...LABELS,
    ...(defaults === undefined ? [] : [`kind: Defaults\nfailMode: ${defaults}`]),
    [
      "kind: Zone",
      "name: banana",
      "protects: [banana]",
      "members: [svc:banana-ranker]",
      "mode: enforcement",
      line("failMode", zone),
      "rules:",
      "  - name: no-export",
      "    deny: [kafka:export-*]",
      `    mode: ${ruleMode}`,
      line("failMode", rule, "    "),
    ].join("\n"),
  ]);
}

describe("fail posture resolution", () => {
  it.each(RESOLUTION)("rule %s, zone %s, defaults %s: the rule fails %s", (rule, zone, defaults, expected) => {
    const decision = engineFor(rule, zone, defaults).decide(writeOf({ sink: "kafka:export-daily", labels: ["banana"] }));
    expect(decision.violations.find((violation) => violation.rule === "no-export")?.failMode).toBe(expected);
    // The boundary rule has no dial of its own: zone, then Defaults.
    expect(decision.violations.find((violation) => violation.rule === "boundary")?.failMode).toBe(
      zone ?? defaults ?? "open",
    );
  });

  it("fails closed for a write touching a zone with a closed rule, open otherwise", () => {
    const engine = engineFor("closed", undefined, undefined);
    expect(engine.failPosture(writeOf({ sink: "svc:banana-ranker", labels: ["banana"] }))).toBe("closed");
    expect(engine.failPosture(writeOf({ sink: "svc:banana-ranker", sources: ["kafka:banana-events"] }))).toBe("closed");
    expect(engine.failPosture(writeOf({ sink: "svc:banana-ranker", labels: ["apple"] }))).toBe("open");
  });

  it("ignores the fail mode of a rule whose effective mode is off", () => {
    const engine = engineFor("closed", undefined, undefined, "off");
    expect(engine.failPosture(writeOf({ labels: ["banana"] }))).toBe("open");
  });

  it("ignores every fail mode when the zone is flipped off at runtime", () => {
    const engine = engineFor(undefined, "closed", undefined);
    expect(engine.failPosture(writeOf({ labels: ["banana"] }))).toBe("closed");
    const off = engine.withState({ epoch: 1, zoneModes: new Map([["banana", "off"]]), exceptions: [] });
    expect(off.failPosture(writeOf({ labels: ["banana"] }))).toBe("open");
  });

  it("rejects a bad write like decide does", () => {
    const engine = engineFor(undefined, undefined, undefined);
    expect(() => engine.failPosture(writeOf({ labels: ["bananna"] }))).toThrow(/labels\[0\] "bananna"/);
  });
});
