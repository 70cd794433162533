/**
 * `flowzone dev` as a user runs it: a child process that starts every part, answers a check
 * (and reports its flow), and stops cleanly on SIGINT. It uses the test broker (FLOWZONE_KAFKA_BROKERS) and embedded
 * PostgreSQL in its own folder; ports are picked free.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { clientConstructor } from "@flowzone/grpc-kit";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { CONTROL_SIGNATURE_HEADERS, FLOWS_TOPIC, readControlVerifyKeys } from "@flowzone/kafka";
import { CheckRequestSchema, Decision, DecisionService, EnforcementPoint } from "@flowzone/proto";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";

import { testBrokers, testKafka } from "../support/kafka";
import { readFlowReports } from "../support/flow-reports";
import { FLOWZONE_MAIN, TestProcess } from "../support/processes";
import { readToEnd } from "../support/topic-tail";

interface CheckClient extends grpc.Client {
  check(request: CheckRequest, callback: (error: grpc.ServiceError | null, value?: CheckResponse) => void): void;
}

describe("flowzone dev", () => {
  it("starts every part, answers a check, and stops cleanly on SIGINT", async () => {
    if (!existsSync(FLOWZONE_MAIN)) throw new Error(`${FLOWZONE_MAIN} is missing: run 'npm run build' first (npm test does)`);
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-"));
    const dev = TestProcess.flowzone("flowzone dev", ["dev", "--home", home, "--pdp-port", "0", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"], {
      env: { ...process.env, FLOWZONE_KAFKA_BROKERS: testBrokers().join(",") },
    });
    try {
      await dev.waitForStdout("Press Ctrl-C to stop.", 90_000);
      expect(dev.stdout).toContain("FLOWZONE_CONTROL_URL=");
      const pdpPort = /decision service\s+127\.0\.0\.1:(\d+)/.exec(dev.stdout)?.[1];
      expect(pdpPort).toBeDefined();

      const checkedAtMs = Date.now();
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

      // Signed end to end: the bundle it published carries the signature of its own key, and its followers verify.
      const verifyKeys = readControlVerifyKeys(path.join(home, "control-keys", "verify-key.pem"));
      const bundle = (await readToEnd(testKafka("dev-test"), "flowzone.control.v1")).filter((m) => m.key?.toString() === "bundle").at(-1);
      expect(verifyKeys.has(bundle?.headers?.[CONTROL_SIGNATURE_HEADERS.keyId]?.toString() ?? "")).toBe(true);
      expect(dev.stderr).not.toContain("without verifying its records");

      expect((await dev.stop("SIGINT", 60_000)).code).toBe(0);
      expect(dev.stderr).toContain("flowzone dev: stopped");

      // Flow reporting is on by default: the check's flow reached flowzone.flows.v1 (sent at the latest on stop).
      const reported = (await readFlowReports(testKafka("dev-test"), FLOWS_TOPIC)).filter(
        (r) => r.producer === "svc:banana-app" && r.sink === "svc:ads-ranker" && r.enforcementPoint === EnforcementPoint.DECISION_SERVICE && r.lastSeen !== undefined && timestampMs(r.lastSeen) >= checkedAtMs,
      );
      expect(reported.length).toBeGreaterThanOrEqual(1);
      expect(reported[0]?.labels).toEqual(["banana"]);
    } finally {
      if (dev.alive) await dev.kill();
      await rm(home, { recursive: true, force: true });
    }
  }, 150_000);
});
