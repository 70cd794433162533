/**
 * `flowzone dev` as a user runs it: a child process that starts every part, answers a check
 * (and reports its flow), and stops cleanly on SIGINT. It uses the test broker (FLOWZONE_KAFKA_BROKERS) and embedded
 * PostgreSQL in its own folder; ports are picked free, but for one a client connection holds at first.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
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

/** A live connection whose local port the kernel picked, as for any client; `close` (once or more) closes it from the server's side, so no TIME_WAIT stays on that port. */
async function clientConnection(): Promise<{ readonly localPort: number; close: () => Promise<void> }> {
  let accepted: (socket: net.Socket) => void = () => undefined;
  const serverSide = new Promise<net.Socket>((resolve) => (accepted = resolve));
  const server = net.createServer((socket) => { accepted(socket); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => { resolve(); }));
  const address = server.address();
  const client = net.connect({ host: "127.0.0.1", port: typeof address === "object" && address !== null ? address.port : 0 });
  // Flowing, so it reads the server's FIN and ends its side at once: closed passively, its port keeps no TIME_WAIT.
  client.resume();
  await new Promise<void>((resolve) => client.once("connect", () => { resolve(); }));
  const clientClosed = new Promise<void>((resolve) => client.once("close", () => { resolve(); }));
  let closing: Promise<void> | undefined;
  return {
    localPort: client.localPort ?? 0,
    close: () =>
      (closing ??= (async () => {
        (await serverSide).destroy();
        await clientClosed;
        await new Promise<void>((resolve) => server.close(() => { resolve(); }));
      })()),
  };
}

describe("flowzone dev", () => {
  it("waits for a port a connection holds, starts every part, answers a check, and stops cleanly on SIGINT", async () => {
    if (!existsSync(FLOWZONE_MAIN)) throw new Error(`${FLOWZONE_MAIN} is missing: run 'npm run build' first (npm test does)`);
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-"));
    // Linux gives client connections ports from the range gRPC's 50051 and 50052 lie in.
    const holder = await clientConnection();
    const dev = TestProcess.flowzone("flowzone dev", ["dev", "--home", home, "--pdp-port", "0", "--http-port", "0", "--grpc-port", String(holder.localPort), "--metrics-port", "0"], {
      env: { ...process.env, FLOWZONE_KAFKA_BROKERS: testBrokers().join(",") },
    });
    try {
      await dev.waitFor("the wait for the held port", (p) => p.stderr.includes(`127.0.0.1:${holder.localPort} (the control plane's gRPC API (FLOWZONE_CONTROL_GRPC_PORT)) is the local port of a connection`));
      expect(dev.stdout).toBe("");
      await holder.close();
      await dev.waitForStdout("Press Ctrl-C to stop.", 90_000);
      expect(dev.stdout).toContain("FLOWZONE_CONTROL_URL=");
      expect(dev.stdout).toContain(`(HTTP)  127.0.0.1:${holder.localPort} (gRPC ZoneService)`);
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
      await holder.close();
      await rm(home, { recursive: true, force: true });
    }
  }, 150_000);

  it("fails at once, before starting anything, on a port another server listens on", async () => {
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-"));
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", () => { resolve(); }));
    const address = other.address();
    const taken = typeof address === "object" && address !== null ? address.port : 0;
    const dev = TestProcess.flowzone("flowzone dev", ["dev", "--home", home, "--pdp-port", String(taken), "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"], {
      env: { ...process.env, FLOWZONE_KAFKA_BROKERS: testBrokers().join(",") },
    });
    try {
      await dev.waitFor("the exit", (p) => !p.alive, 20_000);
      expect((await dev.stop()).code).toBe(1);
      expect(dev.stderr).toContain(`cannot listen on 127.0.0.1:${taken} for the decision service (FLOWZONE_PDP_PORT): another server listens there`);
      expect(dev.stderr).not.toContain("starting the control plane");
    } finally {
      if (dev.alive) await dev.kill();
      await new Promise<void>((resolve) => other.close(() => { resolve(); }));
      await rm(home, { recursive: true, force: true });
    }
  }, 30_000);
});
