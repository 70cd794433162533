import { PolicyEngine, runPolicyTests } from "@flowzone/engine";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { jsonDecision, jsonErrors, writeJson } from "../json-output";
import { formatError, loadBundle } from "../load-bundle";
import { booleanFlag, parseFlags } from "../parse-flags";
import { bundleDirArg } from "./bundle-dir-arg";
import { groupBySuite, renderReport } from "./test-report";
import type { SuiteResults } from "./test-report";

const COMMAND = "policy test";

/**
 * `flowzone policy test DIR [--json] [--verbose]`: runs the bundle's TestSuites against the
 * bundle, like `opa test` or `cerbos compile`. Exit 0 all passed, 1 a failure or a bad bundle.
 */
export async function policyTest(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(args, { json: { type: "boolean" }, verbose: { type: "boolean", short: "v" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  const dir = bundleDirArg(flags, COMMAND);
  const json = booleanFlag(flags, "json");
  const loaded = await loadBundle(dir);

  if (!loaded.ok) {
    if (json) {
      writeJson(io.stdout, { ok: false, dir, version: null, passed: 0, failed: 0, errors: jsonErrors(loaded.errors), suites: [] });
    } else {
      for (const error of loaded.errors) io.stdout.write(`${formatError(error)}\n`);
      io.stdout.write(`${loaded.errors.some((e) => e.line > 0) ? `\n${dir}: invalid policy bundle, ` : ""}no test ran\n`);
    }
    return ExitCode.failure;
  }

  const engine = PolicyEngine.compile(loaded.bundle);
  const report = runPolicyTests(engine);
  const suites = groupBySuite(dir, report);
  const ok = report.failed === 0;

  if (json) {
    writeJson(io.stdout, {
      ok,
      dir,
      version: engine.version,
      passed: report.passed,
      failed: report.failed,
      errors: [],
      suites: suites.map(jsonSuite),
    });
  } else {
    if (report.results.length === 0) {
      io.stderr.write(`${dir}: no policy tests found (add kind: TestSuite documents)\n`);
    }
    io.stdout.write(renderReport(suites, booleanFlag(flags, "verbose")));
  }
  return ok ? ExitCode.ok : ExitCode.failure;
}

function jsonSuite(suite: SuiteResults): unknown {
  return {
    name: suite.name,
    file: suite.file,
    passed: suite.passed,
    failed: suite.failed,
    tests: suite.tests.map((t) => ({
      name: t.name,
      file: t.file,
      line: t.line,
      passed: t.passed,
      failures: [...t.failures],
      decision: t.decision === undefined ? null : jsonDecision(t.decision),
    })),
  };
}
