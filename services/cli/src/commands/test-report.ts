import type { Decision, PolicyTestReport, PolicyTestResult } from "@flowzone/engine";
import { inDir } from "../load-bundle";

/** One test's outcome, with its file as the user can open it. */
export type TestResult = PolicyTestResult;

/** The results of one suite, in the order the engine ran them. */
export interface SuiteResults {
  readonly name: string;
  readonly file: string;
  readonly passed: number;
  readonly failed: number;
  readonly tests: readonly TestResult[];
}

/**
 * Groups the engine's flat results by suite (name and file: two files may reuse a suite name)
 * and prefixes the bundle directory to every file.
 */
export function groupBySuite(dir: string, report: PolicyTestReport): SuiteResults[] {
  const suites = new Map<string, { name: string; file: string; tests: TestResult[] }>();
  for (const result of report.results) {
    const file = inDir(dir, result.file);
    const key = `${file}\u0000${result.suite}`;
    let suite = suites.get(key);
    if (suite === undefined) {
      suite = { name: result.suite, file, tests: [] };
      suites.set(key, suite);
    }
    suite.tests.push({ ...result, file });
  }
  return [...suites.values()].map((s) => {
    const passed = s.tests.filter((t) => t.passed).length;
    return { ...s, passed, failed: s.tests.length - passed };
  });
}

/**
 * The readable report: per suite, FAIL lines with their reasons (and with `verbose`, PASS lines
 * and every decision too), then the summary line `N passed, M failed`.
 */
export function renderReport(suites: readonly SuiteResults[], verbose: boolean): string {
  const out: string[] = [];
  let passed = 0;
  let failed = 0;
  for (const suite of suites) {
    passed += suite.passed;
    failed += suite.failed;
    if (!verbose && suite.failed === 0) continue;
    out.push(`${suite.failed === 0 ? "PASS" : "FAIL"}  suite ${suite.name}  (${suite.file})`);
    for (const test of suite.tests) {
      if (!verbose && test.passed) continue;
      out.push(`  ${test.passed ? "PASS" : "FAIL"}  ${test.name}  (${test.file}:${test.line})`);
      for (const failure of test.failures) out.push(`        - ${failure}`);
      if (test.decision !== undefined && (verbose || !test.passed)) {
        out.push(`        got: ${describeDecision(test.decision)}`);
      }
    }
    out.push("");
  }
  out.push(`${passed} passed, ${failed} failed`);
  return `${out.join("\n")}\n`;
}

/** `deny: banana/boundary (enforced), banana/no-export (logging)` */
export function describeDecision(decision: Decision): string {
  const verdict = decision.allow ? "allow" : "deny";
  if (decision.violations.length === 0) return `${verdict}, no violations`;
  const violations = decision.violations.map(
    (v) => `${v.zone}/${v.rule} (${v.enforced ? "enforced" : `${v.mode}, not enforced`})`,
  );
  return `${verdict}: ${violations.join(", ")}`;
}
