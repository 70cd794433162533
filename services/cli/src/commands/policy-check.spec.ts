import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run } from "../run";

const EXAMPLE = path.join(__dirname, "..", "..", "..", "..", "examples", "bundle");

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

const VALID = `kind: Label
name: banana
description: banana data
---
kind: Zone
name: banana
protects: [banana]
members: [kafka:banana-*]
`;

describe("flowzone policy check", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "flowzone-check-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the version and counts of a valid bundle and exits 0", async () => {
    await writeFile(path.join(dir, "policy.yaml"), VALID);
    const result = await cli("policy", "check", dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain(`${dir}: valid policy bundle`);
    expect(result.stdout).toMatch(/version {6}sha256:[0-9a-f]{64}/);
    expect(result.stdout).toMatch(/labels {7}1\n/);
    expect(result.stdout).toMatch(/assets {7}0\n/);
    expect(result.stdout).toContain("zones        1: banana (logging)");
    expect(result.stdout).toContain("test suites  0 (0 tests)");
  });

  it("reports every error as DIR/file:line: message and exits 1", async () => {
    await mkdir(path.join(dir, "zones"));
    await writeFile(path.join(dir, "labels.yaml"), "kind: Label\nname: banana\ndescription: b\n");
    await writeFile(
      path.join(dir, "zones", "bad.yaml"),
      "kind: Zone\nname: banana\nprotects: [banana]\nmembers: [kafka:banana-*]\nmode: always\n---\nkind: Zone\nname: other\nprotects: [apple]\n",
    );
    const result = await cli("policy", "check", dir);
    expect(result.code).toBe(1);
    const file = path.join(dir, "zones", "bad.yaml");
    expect(result.stdout).toMatch(new RegExp(`^${escape(file)}:5: .*always`, "m"));
    expect(result.stdout).toMatch(new RegExp(`^${escape(file)}:9: .*apple`, "m"));
    expect(result.stdout).toContain(`${dir}: invalid policy bundle (2 errors)`);
  });

  it("reports a missing directory as an error on the directory and exits 1", async () => {
    const missing = path.join(dir, "nope");
    const result = await cli("policy", "check", missing);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(missing);
    expect(result.stdout).toContain("does not exist");
  });

  it("--json prints the documented shape for a valid bundle", async () => {
    await writeFile(path.join(dir, "policy.yaml"), VALID);
    const result = await cli("policy", "check", dir, "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      dir,
      version: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
      counts: { labels: 1, assets: 0, zones: 1, testSuites: 0, tests: 0 },
      zones: [{ name: "banana", mode: "logging", failMode: "open", protects: ["banana"] }],
      errors: [],
    });
  });

  it("--json prints the documented shape for an invalid bundle", async () => {
    await writeFile(path.join(dir, "policy.yaml"), "kind: Label\nname: banana\ncolour: yellow\n");
    const result = await cli("policy", "check", "--json", dir);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: false,
      dir,
      version: null,
      counts: null,
      zones: [],
      errors: [{ file: path.join(dir, "policy.yaml"), line: 3, message: expect.stringContaining("colour") as unknown }],
    });
  });

  it("accepts the example bundle", async () => {
    const result = await cli("policy", "check", EXAMPLE, "--json");
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { counts: { zones: number; tests: number } };
    expect(output.counts.zones).toBeGreaterThanOrEqual(3);
    expect(output.counts.tests).toBeGreaterThanOrEqual(10);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
