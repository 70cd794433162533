#!/usr/bin/env node
// `npm run test:repeat -- N [pattern]`: runs the integration suites (or those matching pattern)
// N times and reports every test that failed in any run, with how often. Exits 1 if one did.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

const [countText, ...patterns] = process.argv.slice(2);
const runs = Number(countText);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write("usage: npm run test:repeat -- N [pattern ...]   (N: how many runs, at least 1)\n");
  process.exit(2);
}
const dir = path.join(".flowzone", "repeat");
mkdirSync(dir, { recursive: true });
const failures = new Map();
let tests = 0;
for (let run = 1; run <= runs; run += 1) {
  const output = path.join(dir, `run-${run}.json`);
  const started = Date.now();
  spawnSync("npx", ["jest", "--selectProjects", "integration", "--json", `--outputFile=${output}`, ...patterns], { stdio: ["ignore", "ignore", "inherit"] });
  const result = JSON.parse(readFileSync(output, "utf8"));
  tests = Math.max(tests, result.numTotalTests);
  for (const file of result.testResults) {
    for (const test of file.assertionResults) {
      if (test.status !== "failed") continue;
      const name = `${path.relative(process.cwd(), file.name)} › ${test.fullName}`;
      failures.set(name, (failures.get(name) ?? 0) + 1);
    }
    if (file.status === "failed" && file.assertionResults.length === 0) {
      const name = `${path.relative(process.cwd(), file.name)} (the file failed to run)`;
      failures.set(name, (failures.get(name) ?? 0) + 1);
    }
  }
  process.stdout.write(`run ${run}/${runs}: ${result.numPassedTests} passed, ${result.numFailedTests} failed (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}
if (failures.size === 0) {
  process.stdout.write(`${runs} runs of ${tests} tests: none failed\n`);
} else {
  process.stdout.write(`${runs} runs of ${tests} tests: ${failures.size} failed at least once\n`);
  for (const [name, times] of [...failures].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${times}/${runs}  ${name}\n`);
  process.exitCode = 1;
}
