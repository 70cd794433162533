/**
 * `flowzone dev` as a user runs it: a child process that starts every part, answers a check,
 * and stops cleanly on SIGINT. It uses the test broker (FLOWZONE_KAFKA_BROKERS) and embedded
 * PostgreSQL in its own folder; ports are picked free.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { clientConstructor } from "@flowzone/grpc-kit";
import { CheckRequestSchema, Decision, DecisionService } from "@flowzone/proto";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";

import { testBrokers } from "../support/kafka";

const ROOT = path.join(__dirname, "..", "..");
const MAIN = path.join(ROOT, "services", "cli", "dist", "main.js");

interface CheckClient extends grpc.Client {
  check(request: CheckRequest, callback: (error: grpc.ServiceError | null, value?: CheckResponse) => void): void;
}

describe("flowzone dev", () => {
  it("starts every part, answers a check, and stops cleanly on SIGINT", async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build' first (npm test does)`);
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-"));
    const child = spawn(process.execPath, [MAIN, "dev", "--home", home, "--pdp-port", "0", "--http-port", "0", "--grpc-port", "0"], {
      cwd: ROOT,
      env: { ...process.env, FLOWZONE_KAFKA_BROKERS: testBrokers().join(",") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => { resolve(code); }));
    try {
      const deadline = Date.now() + 90_000;
      while (!stdout.includes("Press Ctrl-C") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(stdout).toContain("Press Ctrl-C to stop.");
      expect(stdout).toContain("FLOWZONE_CONTROL_URL=");
      const pdpPort = /decision service\s+127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
      expect(pdpPort).toBeDefined();

      const Client = clientConstructor(DecisionService);
      const client = new Client(`127.0.0.1:${pdpPort ?? ""}`, grpc.credentials.createInsecure()) as unknown as CheckClient;
      const response = await new Promise<CheckResponse>((resolve, reject) => {
        client.check(create(CheckRequestSchema, { producer: "svc:banana-app", sink: "svc:ads-ranker", labels: ["banana"] }), (error, value) => {
          if (error !== null || value === undefined) reject(error ?? new Error("no response"));
          else resolve(value);
        });
      });
      client.close();
      expect(response.decision).toBe(Decision.DENY);
      expect(response.violations[0]?.zone).toBe("banana");

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(stderr).toContain("flowzone dev: stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(home, { recursive: true, force: true });
    }
  }, 150_000);
});
