import { PolicyEngine } from "./policy-engine";
import { runPolicyTests } from "./policy-tests";
import { bananaZone, engineOf, LABELS } from "./testing/bundles";

const SUITE = [
  "kind: TestSuite",
  "name: banana",
  "tests:",
  "  - name: members are allowed",
  "    write: { producer: svc:app, sink: svc:banana-ranker, labels: [banana] }",
  "    expect: { decision: allow, violations: [] }",
  "  - name: exports are denied",
  "    write: { producer: svc:app, sink: kafka:export-daily, sources: [kafka:banana-events] }",
  "    expect:",
  "      decision: deny",
  "      violations:",
  "        - { zone: banana, rule: no-export, enforced: true }",
  "        - { zone: banana, rule: boundary }",
  "  - name: wrong decision and violations",
  "    write: { producer: svc:app, sink: svc:elsewhere, labels: [banana] }",
  "    expect:",
  "      decision: allow",
  "      violations: [{ zone: banana, rule: boundary, enforced: false }, { zone: banana, rule: no-export }]",
  "  - name: decision only",
  "    write: { producer: svc:app, sink: svc:elsewhere, labels: [banana] }",
  "    expect: { decision: deny }",
].join("\n");
const RULES = "rules:\n  - name: no-export\n    deny: [kafka:export-*]";

describe("runPolicyTests", () => {
  const report = runPolicyTests(engineOf([...LABELS, bananaZone(RULES), SUITE]));

  it("counts passed and failed cases", () => {
    expect(report.results.map((result) => [result.name, result.passed])).toEqual([
      ["members are allowed", true],
      ["exports are denied", true],
      ["wrong decision and violations", false],
      ["decision only", true],
    ]);
    expect([report.passed, report.failed]).toEqual([3, 1]);
  });

  it("explains every failure in a sentence and keeps the decision", () => {
    const failed = report.results[2];
    expect(failed?.failures).toEqual([
      "expected allow, got deny",
      'expected violation of rule "boundary" in zone "banana" (not enforced) did not occur',
      'expected violation of rule "no-export" in zone "banana" did not occur',
      'unexpected violation of rule "boundary" in zone "banana" (enforced)',
    ]);
    expect(failed?.decision?.allow).toBe(false);
    // The suite is the last of 9 documents; its third case starts 13 lines into it.
    const suiteLine = [...LABELS, bananaZone(RULES)].join("\n---\n").split("\n").length + 2;
    expect(failed).toMatchObject({ suite: "banana", file: "bundle.yaml", line: suiteLine + 13 });
  });

  it("reports a write the engine rejects as a failure, not a throw", () => {
    // A runtime state cannot make a test write invalid, so build the case by hand.
    const engine = engineOf([...LABELS, bananaZone()]);
    const broken = {
      ...engine.bundle,
      testSuites: [
        {
          name: "broken",
          file: "t.yaml",
          tests: [
            {
              name: "bad sink",
              file: "t.yaml",
              line: 3,
              write: { producer: "svc:app", sink: "nope", labels: [], sources: [], purpose: "" },
              expect: { decision: "allow" as const, violations: undefined },
            },
          ],
        },
      ],
    };
    const result = runPolicyTests(PolicyEngine.compile(broken)).results[0];
    expect(result?.passed).toBe(false);
    expect(result?.decision).toBeUndefined();
    expect(result?.failures[0]).toMatch(/^the write was rejected: sink "nope" is not a well-formed asset id/);
  });
});
