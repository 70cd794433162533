import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run } from "../run";

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
  });
  return { code, stdout, stderr };
}

const POLICY = `kind: Label
name: banana
description: banana data
---
kind: Zone
name: banana
protects: [banana]
members: [kafka:banana-*]
mode: enforcement
`;

const PASSING = `kind: TestSuite
name: boundary
tests:
  - name: members are allowed
    write: { producer: svc:app, sink: kafka:banana-events, labels: [banana] }
    expect: { decision: allow, violations: [] }
  - name: other sinks are denied
    write: { producer: svc:app, sink: kafka:other, labels: [banana] }
    expect:
      decision: deny
      violations: [{ zone: banana, rule: boundary, enforced: true }]
`;

const FAILING = `kind: TestSuite
name: wrong expectations
tests:
  - name: still allowed
    write: { producer: svc:app, sink: kafka:banana-clicks, labels: [banana] }
    expect: { decision: allow }
  - name: expects allow outside the zone
    write: { producer: svc:app, sink: kafka:other, labels: [banana] }
    expect: { decision: allow }
`;

describe("flowzone policy test", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flowzone-test-"));
    await writeFile(path.join(dir, "policy.yaml"), POLICY);
    await writeFile(path.join(dir, "passing.yaml"), PASSING);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints only the summary when every test passes, and exits 0", async () => {
    const result = await cli("policy", "test", dir);
    expect(result).toEqual({ code: 0, stdout: "2 passed, 0 failed\n", stderr: "" });
  });

  it("--verbose shows every test with its decision", async () => {
    const result = await cli("policy", "test", dir, "--verbose");
    expect(result.code).toBe(0);
    const file = path.join(dir, "passing.yaml");
    expect(result.stdout).toContain(`PASS  suite boundary  (${file})`);
    expect(result.stdout).toContain(`  PASS  members are allowed  (${file}:4)`);
    expect(result.stdout).toContain("got: allow, no violations");
    expect(result.stdout).toContain(`  PASS  other sinks are denied  (${file}:7)`);
    expect(result.stdout).toContain("got: deny: banana/boundary (enforced)");
    expect(result.stdout).toMatch(/2 passed, 0 failed\n$/);
  });

  it("shows failing tests with file:line and reasons, and exits 1", async () => {
    await writeFile(path.join(dir, "failing.yaml"), FAILING);
    const result = await cli("policy", "test", dir);
    expect(result.code).toBe(1);
    const file = path.join(dir, "failing.yaml");
    expect(result.stdout).toContain(`FAIL  suite wrong expectations  (${file})`);
    expect(result.stdout).toContain(`  FAIL  expects allow outside the zone  (${file}:7)`);
    expect(result.stdout).toContain("got: deny: banana/boundary (enforced)");
    // Passing tests and passing suites stay quiet without --verbose.
    expect(result.stdout).not.toContain("still allowed");
    expect(result.stdout).not.toContain("suite boundary");
    expect(result.stdout).toMatch(/\n3 passed, 1 failed\n$/);
  });

  it("--json lists every suite and test in the documented shape", async () => {
    await writeFile(path.join(dir, "failing.yaml"), FAILING);
    const result = await cli("policy", "test", "--json", dir);
    expect(result.code).toBe(1);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output).toMatchObject({ ok: false, dir, passed: 3, failed: 1, errors: [] });
    expect(output["version"]).toMatch(/^sha256:/);
    const suites = output["suites"] as { name: string; file: string; passed: number; failed: number; tests: unknown[] }[];
    expect(suites.map((s) => [s.name, s.file, s.passed, s.failed])).toEqual([
      ["wrong expectations", path.join(dir, "failing.yaml"), 1, 1],
      ["boundary", path.join(dir, "passing.yaml"), 2, 0],
    ]);
    expect(suites[0]?.tests[1]).toEqual({
      name: "expects allow outside the zone",
      file: path.join(dir, "failing.yaml"),
      line: 7,
      passed: false,
      failures: [expect.any(String)],
      decision: {
        decision: "deny",
        violations: [
          {
            zone: "banana",
            rule: "boundary",
            mode: "enforcement",
            enforced: true,
            failMode: "open",
            labels: ["banana"],
            reason: expect.any(String) as unknown,
          },
        ],
      },
    });
  });

  it("reports an invalid bundle as file:line errors and runs no test", async () => {
    await writeFile(path.join(dir, "broken.yaml"), "kind: Asset\nid: kafka:x\nlabels: [apple]\n");
    const result = await cli("policy", "test", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${path.join(dir, "broken.yaml").replace(/[.\\]/g, "\\$&")}:3: .*apple`, "m"));
    expect(result.stdout).toContain("invalid policy bundle, no test ran");
    expect(result.stdout).not.toContain("passed");
  });

  it("says so on stderr when the bundle has no tests", async () => {
    await rm(path.join(dir, "passing.yaml"));
    const result = await cli("policy", "test", dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("no policy tests found");
    expect(result.stdout).toBe("0 passed, 0 failed\n");
  });
});
