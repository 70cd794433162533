/**
 * Every benchmark, as `npm run bench:*` runs it (the built script): `--help` lists its options and
 * measures nothing, and an option it does not know fails at once with the list, before any broker,
 * service or load starts.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BENCHMARKS = ["pdp", "enforcer", "propagation", "sdk", "audit", "tls", "control"];

function runBench(name: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const script = join(__dirname, "dist", name, "main.js");
  const run = spawnSync(process.execPath, [script, ...args], { encoding: "utf8", timeout: 20_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe.each(BENCHMARKS)("bench:%s's options", (name) => {
  it("are listed, with their defaults, by --help, which measures nothing", () => {
    const run = runBench(name, "--help");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^options: .*--no-write\n$/);
    expect(run.stdout).toMatch(/\(\d+/);
  });

  it("name an unknown option and list the known ones when one is given", () => {
    const run = runBench(name, "--no-write", "--no-such-option");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("unknown option --no-such-option; options: ");
    expect(run.stdout).not.toContain("round 1");
  });
});
