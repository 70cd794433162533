// The example bundle is the one the README tours and `npm start` serves: it must load through the
// real reader and engine, and every policy test in it must pass.
import * as path from "node:path";
import { readBundleDir } from "@flowzone/bundle-source";
import { formatBundleError, parseBundle, PolicyEngine, runPolicyTests } from "@flowzone/engine";
import type { Bundle } from "@flowzone/engine";

const EXAMPLE = path.join(__dirname, "..", "examples", "bundle");

async function loadExample(): Promise<Bundle> {
  const result = parseBundle(await readBundleDir(EXAMPLE));
  if (!result.ok) throw new Error(`examples/bundle is invalid:\n${result.errors.map(formatBundleError).join("\n")}`);
  return result.bundle;
}

describe("examples/bundle", () => {
  it("passes every one of its policy tests", async () => {
    const report = runPolicyTests(PolicyEngine.compile(await loadExample()));
    const failures = report.results
      .filter((r) => !r.passed)
      .map((r) => `${r.file}:${r.line} ${r.suite} › ${r.name}: ${r.failures.join("; ")}`);
    expect(failures).toEqual([]);
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(20);
  });

  it("has a test suite per zone in use", async () => {
    const bundle = await loadExample();
    expect(bundle.testSuites.map((s) => s.name)).toEqual(expect.arrayContaining(["banana", "pii", "health"]));
  });

  it("shows the rollout: a zone enforcing, a zone logging, and a logging rule inside an enforcing zone", async () => {
    const bundle = await loadExample();
    const modes = new Map(bundle.zones.map((z) => [z.name, z.mode]));
    expect(modes.get("banana")).toBe("enforcement");
    expect(modes.get("health")).toBe("enforcement");
    expect(modes.get("pii")).toBe("logging");
    expect(modes.get("location")).toBe("off");
    const banana = bundle.zones.find((z) => z.name === "banana");
    expect(banana?.rules).toEqual([expect.objectContaining({ name: "no-export", mode: "logging" })]);
  });

  it("declares health as failing closed, with a purpose", async () => {
    const health = (await loadExample()).zones.find((z) => z.name === "health");
    expect(health?.failMode).toBe("closed");
    expect(health?.purposes).toEqual(["care-research"]);
  });

  it("covers allow, deny, logging-mode violations and source labels in its tests", async () => {
    const tests = (await loadExample()).testSuites.flatMap((s) => s.tests);
    const violations = tests.flatMap((t) => t.expect.violations ?? []);
    expect(tests.some((t) => t.expect.decision === "allow" && t.expect.violations?.length === 0)).toBe(true);
    expect(tests.some((t) => t.expect.decision === "deny")).toBe(true);
    expect(violations.some((v) => v.zone === "pii" && v.enforced === false)).toBe(true);
    expect(violations.some((v) => v.rule === "no-export" && v.enforced === false)).toBe(true);
    expect(tests.some((t) => t.write.sources.length > 0)).toBe(true);
    expect(tests.some((t) => t.write.purpose !== "")).toBe(true);
  });
});
