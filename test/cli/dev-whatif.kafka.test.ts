/**
 * See before you flip, as a privacy engineer does it after `npm start`: `flowzone dev` runs the
 * example organisation; a producer's write breaks the pii zone, which only logs; the decision
 * service reports the flow, the control plane inventories it, and `flowzone policy whatif` on a
 * candidate bundle with pii in enforcement names that flow with its count and exits 3, while the
 * unchanged bundle exits 0. The producer's name is unique to the run, so flows other tests
 * reported to the shared broker's flows topic cannot be mistaken for it.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { clientConstructor } from "@flowzone/grpc-kit";
import { CheckRequestSchema, Decision, DecisionService } from "@flowzone/proto";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";

import { testBrokers } from "../support/kafka";
import { waitUntil } from "../support/poll";
import { FLOWZONE_MAIN, REPO_ROOT, TestProcess } from "../support/processes";

interface CheckClient extends grpc.Client {
  check(request: CheckRequest, callback: (error: grpc.ServiceError | null, value?: CheckResponse) => void): void;
}

interface WhatIfEntry {
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly count: number;
}

const EXAMPLE_BUNDLE = path.join(REPO_ROOT, "examples", "bundle");
const CHECKS = 3;

describe("flowzone dev: what-if before a flip", () => {
  it("names the logging-mode flow a candidate in enforcement would deny, with its count, and exits 3; the unchanged bundle exits 0", async () => {
    if (!existsSync(FLOWZONE_MAIN)) throw new Error(`${FLOWZONE_MAIN} is missing: run 'npm run build' first (npm test does)`);
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-whatif-"));
    const candidate = path.join(home, "candidate");
    const producer = `svc:whatif-${randomBytes(4).toString("hex")}`;
    const env = { ...process.env, FLOWZONE_KAFKA_BROKERS: testBrokers().join(",") };
    const dev = TestProcess.flowzone("flowzone dev", ["dev", "--home", home, "--pdp-port", "0", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"], { env });
    try {
      await dev.waitForStdout("Press Ctrl-C to stop.", 90_000);
      const pdpPort = /decision service\s+127\.0\.0\.1:(\d+)/.exec(dev.stdout)?.[1];
      const controlUrl = /FLOWZONE_CONTROL_URL=(\S+)/.exec(dev.stdout)?.[1];
      if (pdpPort === undefined || controlUrl === undefined) throw new Error(`flowzone dev printed no decision service port or control URL\n${dev.output()}`);
      const cliEnv = { ...env, FLOWZONE_CONTROL_URL: controlUrl };
      const cli = async (args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> => {
        const run = TestProcess.flowzone(`flowzone ${args.join(" ")}`, args, { env: cliEnv });
        const { code } = await run.exited;
        return { code, stdout: run.stdout, stderr: run.stderr };
      };

      // The write breaks pii's boundary; pii logs, so it is allowed and recorded.
      const Client = clientConstructor(DecisionService);
      const client = new Client(`127.0.0.1:${pdpPort}`, grpc.credentials.createInsecure()) as unknown as CheckClient;
      for (let i = 0; i < CHECKS; i++) {
        const response = await new Promise<CheckResponse>((resolve, reject) => {
          client.check(create(CheckRequestSchema, { producer, sink: "kafka:marketing-audience", labels: ["pii.email"] }), (error, value) => {
            if (error !== null || value === undefined) reject(error ?? new Error("no response"));
            else resolve(value);
          });
        });
        expect(response.decision).toBe(Decision.ALLOW);
        expect(response.violations.map((v) => [v.zone, v.enforced])).toEqual([["pii", false]]);
      }
      client.close();

      // Reported within a flush interval, inventoried by the control plane.
      await waitUntil(
        "the flow in the control plane's inventory",
        async () => {
          const flows = await cli(["flows", "--producer", producer, "--json"]);
          return flows.code === 0 ? ((JSON.parse(flows.stdout) as { flows: { count: number }[] }).flows[0]?.count ?? 0) : 0;
        },
        (count) => count === CHECKS,
        { timeoutMs: 30_000, intervalMs: 500 },
      );

      await cp(EXAMPLE_BUNDLE, candidate, { recursive: true });
      await appendFile(path.join(candidate, "zones", "pii.yaml"), "mode: enforcement\n");
      const json = await cli(["policy", "whatif", candidate, "--json"]);
      expect(json.code).toBe(3);
      const answer = JSON.parse(json.stdout) as { newlyDenied: WhatIfEntry[]; flowsEvaluated: number };
      expect(answer.newlyDenied.filter((entry) => entry.producer === producer)).toEqual([
        expect.objectContaining({ zone: "pii", rule: "boundary", producer, sink: "kafka:marketing-audience", count: CHECKS }),
      ]);
      expect(answer.flowsEvaluated).toBeGreaterThanOrEqual(1);

      const text = await cli(["policy", "whatif", candidate]);
      expect(text.code).toBe(3);
      expect(text.stdout).toContain(producer);
      expect(text.stdout).toMatch(new RegExp(`${producer}.*kafka:marketing-audience.*\\b${CHECKS}\\b`));

      const unchanged = await cli(["policy", "whatif", EXAMPLE_BUNDLE, "--json"]);
      expect(unchanged.code).toBe(0);
      expect((JSON.parse(unchanged.stdout) as { newlyDenied: WhatIfEntry[] }).newlyDenied).toEqual([]);

      expect((await dev.stop("SIGINT", 60_000)).code).toBe(0);
    } finally {
      if (dev.alive) await dev.kill();
      await rm(home, { recursive: true, force: true });
    }
  }, 240_000);
});
