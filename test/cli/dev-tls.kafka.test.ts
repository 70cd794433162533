/**
 * `flowzone dev` with FLOWZONE_TLS_CERT / KEY / CLIENT_CA: every listener of the process serves
 * TLS. The CLI reaches its HTTPS control plane with FLOWZONE_TLS_CA; its decision service answers
 * a client with a certificate and refuses one without; its /metrics is HTTPS. Test broker,
 * embedded PostgreSQL in its own folder, free ports.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { get } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";

import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { run } from "@flowzone/cli";
import { clientConstructor } from "@flowzone/grpc-kit";
import { CheckRequestSchema, Decision, DecisionService } from "@flowzone/proto";
import type { CheckRequest, CheckResponse } from "@flowzone/proto";

import { TestCa } from "../support/certificates";
import { testBrokers } from "../support/kafka";
import { TestProcess } from "../support/processes";

interface CheckClient extends grpc.Client {
  check(request: CheckRequest, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, value?: CheckResponse) => void): void;
}

function check(port: number, credentials: grpc.ChannelCredentials): Promise<CheckResponse> {
  const Client = clientConstructor(DecisionService);
  const client = new Client(`127.0.0.1:${port}`, credentials) as unknown as CheckClient;
  const request = create(CheckRequestSchema, { producer: "svc:orders-enricher", sink: "svc:ads-ranker", labels: ["banana"] });
  return new Promise<CheckResponse>((resolve, reject) => {
    client.check(request, { deadline: Date.now() + 5_000 }, (error, value) => {
      if (error !== null || value === undefined) reject(error ?? new Error("no response"));
      else resolve(value);
    });
  }).finally(() => {
    client.close();
  });
}

describe("flowzone dev with TLS", () => {
  it("serves the control plane over HTTPS, the decision service over mTLS and /metrics over HTTPS", async () => {
    const ca = await TestCa.create();
    const server = await ca.server();
    const client = await ca.client({ uris: ["spiffe://example.org/svc/orders-enricher"] });
    const home = await mkdtemp(path.join(tmpdir(), "flowzone-dev-tls-"));
    const dev = TestProcess.flowzone("flowzone dev", ["dev", "--home", home, "--pdp-port", "0", "--http-port", "0", "--grpc-port", "0", "--metrics-port", "0"], {
      env: {
        ...process.env,
        FLOWZONE_KAFKA_BROKERS: testBrokers().join(","),
        FLOWZONE_TLS_CERT: server.cert,
        FLOWZONE_TLS_KEY: server.key,
        FLOWZONE_TLS_CLIENT_CA: ca.certFile,
      },
    });
    try {
      await dev.waitForStdout("Press Ctrl-C to stop.", 90_000);
      const controlUrl = /control plane\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(dev.stdout)?.[1];
      const pdpPort = Number(/decision service\s+127\.0\.0\.1:(\d+)/.exec(dev.stdout)?.[1]);
      const metricsPort = Number(/metrics\s+https:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(dev.stdout)?.[1]);
      expect(controlUrl).toBeDefined();
      expect(dev.stdout).toContain("FLOWZONE_TLS_CA=");

      let stdout = "";
      let stderr = "";
      const code = await run(["zones", "--json"], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        env: { FLOWZONE_CONTROL_URL: controlUrl, FLOWZONE_TLS_CA: ca.certFile },
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect((JSON.parse(stdout) as { zones: unknown[] }).zones.length).toBeGreaterThan(0);

      const [rootCerts, key, cert] = await Promise.all([readFile(ca.certFile), readFile(client.key), readFile(client.cert)]);
      expect((await check(pdpPort, grpc.credentials.createSsl(rootCerts, key, cert))).decision).toBe(Decision.DENY);
      await expect(check(pdpPort, grpc.credentials.createSsl(rootCerts))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });

      const metricsStatus = await new Promise<number>((resolve, reject) => {
        get({ host: "127.0.0.1", port: metricsPort, path: "/metrics", ca: rootCerts, servername: "localhost" }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).on("error", reject);
      });
      expect(metricsStatus).toBe(200);

      expect((await dev.stop("SIGINT", 60_000)).code).toBe(0);
    } finally {
      if (dev.alive) await dev.kill();
      await rm(home, { recursive: true, force: true });
      await ca.remove();
    }
  }, 180_000);
});
