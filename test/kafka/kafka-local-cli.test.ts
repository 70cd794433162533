/**
 * `flowzone-kafka-local` as a user runs it (the built command): `--help` documents `--brokers` and
 * the Kafka version setting, and a bad broker count, or a fixed port for a cluster, is a usage
 * error (exit 2) that says what is wrong, before anything is resolved or started.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

import { REPO_ROOT } from "../support/processes";

const MAIN = path.join(REPO_ROOT, "packages", "kafka-local", "dist", "main.js");

function kafkaLocal(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build' first (npm test does)`);
  const run = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", timeout: 20_000, env: { PATH: process.env.PATH ?? "" } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("flowzone-kafka-local", () => {
  it("documents --brokers and FLOWZONE_KAFKA_VERSION in --help", () => {
    const help = kafkaLocal("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("[--brokers N]");
    expect(help.stdout).toMatch(/--brokers N\s+how many nodes, 1 to 9 \(default 1\)/);
    expect(help.stdout).toContain("FLOWZONE_KAFKA_VERSION  the Kafka version to run (default 4.4.0; 3.9.x works too)");
  });

  it.each([["0"], ["10"], ["three"], ["2.5"], ["-1"]])("refuses --brokers %s as a usage error", (count) => {
    const run = kafkaLocal("start", `--brokers=${count}`, "--home", path.join(REPO_ROOT, ".flowzone", "never-used"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`--brokers must be a whole number from 1 to 9, got "${count}"`);
    expect(run.stderr).toContain("usage: flowzone-kafka-local");
    expect(existsSync(path.join(REPO_ROOT, ".flowzone", "never-used"))).toBe(false);
  });

  it("refuses a fixed port for a cluster", () => {
    const run = kafkaLocal("start", "--brokers", "3", "--port", "9092");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--port fixes a single broker's port; a cluster (--brokers > 1) takes free ports");
  });
});
