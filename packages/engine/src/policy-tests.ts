import type { PolicyEngine } from "./policy-engine";
import type { Decision, ExpectedViolation, PolicyTestCase, Violation } from "./types";
import { WriteError } from "./write-error";

/** The outcome of one policy test case, with readable failures for `flowzone policy test`. */
export interface PolicyTestResult {
  readonly suite: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly passed: boolean;
  readonly failures: readonly string[];
  /** The engine's decision; undefined when the write itself was rejected. */
  readonly decision: Decision | undefined;
}

/** Every case's result and the totals, so a CLI can print a table and pick its exit code. */
export interface PolicyTestReport {
  readonly results: readonly PolicyTestResult[];
  readonly passed: number;
  readonly failed: number;
}

/**
 * Runs the bundle's own test suites against `engine` (policy tests live with the policy, as in
 * Cerbos). A write the engine rejects is a failed case with the engine's message, never a throw.
 */
export function runPolicyTests(engine: PolicyEngine): PolicyTestReport {
  const results: PolicyTestResult[] = [];
  for (const suite of engine.bundle.testSuites) {
    for (const test of suite.tests) results.push(runCase(engine, suite.name, test));
  }
  const passed = results.filter((result) => result.passed).length;
  return { results, passed, failed: results.length - passed };
}

function runCase(engine: PolicyEngine, suite: string, test: PolicyTestCase): PolicyTestResult {
  const base = { suite, name: test.name, file: test.file, line: test.line };
  let decision: Decision;
  try {
    decision = engine.decide(test.write);
  } catch (error) {
    if (!(error instanceof WriteError)) throw error;
    return { ...base, passed: false, failures: [`the write was rejected: ${error.message}`], decision: undefined };
  }
  const failures: string[] = [];
  const actual = decision.allow ? "allow" : "deny";
  if (actual !== test.expect.decision) failures.push(`expected ${test.expect.decision}, got ${actual}`);
  if (test.expect.violations !== undefined) failures.push(...compareViolations(test.expect.violations, decision.violations));
  return { ...base, passed: failures.length === 0, failures, decision };
}

/** Matches expected and actual violations as sets; each mismatch is one sentence. */
function compareViolations(expected: readonly ExpectedViolation[], actual: readonly Violation[]): string[] {
  const unmatched = [...actual];
  const failures: string[] = [];
  for (const want of expected) {
    const at = unmatched.findIndex(
      (got) => got.zone === want.zone && got.rule === want.rule && (want.enforced === undefined || got.enforced === want.enforced),
    );
    if (at >= 0) unmatched.splice(at, 1);
    else failures.push(`expected violation ${describeExpected(want)} did not occur`);
  }
  for (const got of unmatched) {
    failures.push(`unexpected violation of rule "${got.rule}" in zone "${got.zone}" (${got.enforced ? "enforced" : `${got.mode}, not enforced`})`);
  }
  return failures;
}

function describeExpected(want: ExpectedViolation): string {
  const enforced = want.enforced === undefined ? "" : want.enforced ? " (enforced)" : " (not enforced)";
  return `of rule "${want.rule}" in zone "${want.zone}"${enforced}`;
}
