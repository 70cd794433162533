// TLS on the servers (docs/reference/configuration.md, "TLS"): the decision service's and the control plane's gRPC
// listeners, the HTTP API and /metrics, with FLOWZONE_TLS_CERT / KEY, and mTLS on the gRPC
// listeners with FLOWZONE_TLS_CLIENT_CA. Real servers on port 0, real grpc-js and https clients.
import { copyFile, readFile, rm } from "node:fs/promises";
import { get } from "node:https";
import { get as plainGet } from "node:http";

import * as grpc from "@grpc/grpc-js";
import { startControlService, type RunningControlService } from "@flowzone/control-service";
import { DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import type { ServerTlsFiles } from "@flowzone/service-kit";

import { InMemoryControlPlane } from "../control-api/in-memory-control-plane";
import { peerCertificate, TestCa, type IssuedCertificate } from "../support/certificates";
import { collectingLogger } from "../support/logger";
import { makeBundleDir } from "../pdp/pdp-harness";
import { waitFor } from "../support/poll";

const HEALTH_CHECK = "/grpc.health.v1.Health/Check";
/** grpc.health.v1.HealthCheckResponse{status: SERVING} on the wire. */
const SERVING = Buffer.from([0x08, 0x01]);

let ca: TestCa;
let otherCa: TestCa;
let server: IssuedCertificate;
let client: IssuedCertificate;
let strangerClient: IssuedCertificate;
let policyDir: string;

beforeAll(async () => {
  ca = await TestCa.create();
  otherCa = await TestCa.create("another CA");
  server = await ca.server();
  client = await ca.client({ uris: ["spiffe://example.org/svc/orders-enricher"] });
  strangerClient = await otherCa.client({ name: "stranger", uris: ["spiffe://example.org/svc/stranger"] });
  policyDir = await makeBundleDir();
});

afterAll(async () => {
  await ca.remove();
  await otherCa.remove();
  await rm(policyDir, { recursive: true, force: true });
});

function startPdp(tls: ServerTlsFiles): Promise<RunningDecisionService> {
  return startDecisionService({ policyDir, host: "127.0.0.1", port: 0, metricsPort: 0, reloadIntervalMs: 60_000, limits: DEFAULTS.limits, logger: collectingLogger().logger, tls });
}

/** The SSL credentials of a client trusting `caFile`, with `identity`'s certificate when given. */
async function sslCredentials(caFile: string, identity?: IssuedCertificate): Promise<grpc.ChannelCredentials> {
  const rootCerts = await readFile(caFile);
  if (identity === undefined) return grpc.credentials.createSsl(rootCerts);
  return grpc.credentials.createSsl(rootCerts, await readFile(identity.key), await readFile(identity.cert));
}

/** Calls gRPC health Check at 127.0.0.1:`port`; resolves with the raw response, rejects with the ServiceError. */
function healthCheck(port: number, credentials: grpc.ChannelCredentials): Promise<Buffer> {
  const channel = new grpc.Client(`127.0.0.1:${port}`, credentials);
  return new Promise<Buffer>((resolve, reject) => {
    channel.makeUnaryRequest(
      HEALTH_CHECK,
      (request: Buffer) => request,
      (response: Buffer) => response,
      Buffer.alloc(0),
      { deadline: Date.now() + 5_000 },
      (error, value) => {
        if (error !== null) reject(error);
        else resolve(value ?? Buffer.alloc(0));
      },
    );
  }).finally(() => {
    channel.close();
  });
}

async function refusal(call: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("expected the call to be refused");
}

/** GET over HTTPS trusting `caFile`: status and body. */
async function httpsGet(port: number, path: string, caFile: string): Promise<{ status: number; body: string }> {
  const ca = await readFile(caFile);
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path, ca, servername: "localhost" }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
    }).on("error", reject);
  });
}

/** GET in plaintext: rejects when the server does not answer HTTP. */
function plainHttpGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = plainGet({ host: "127.0.0.1", port, path, timeout: 5_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
  });
}

describe("decision service with FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY", () => {
  let pdp: RunningDecisionService;
  beforeAll(async () => {
    pdp = await startPdp({ certFile: server.cert, keyFile: server.key });
  });
  afterAll(() => pdp.close(500));

  it("answers a client that trusts the CA, and presents the configured certificate", async () => {
    expect(await healthCheck(pdp.port, await sslCredentials(ca.certFile))).toEqual(SERVING);
    expect((await peerCertificate(pdp.port, ca.certFile, "h2")).serialNumber).toBe(server.serialNumber);
  });

  it("refuses a plaintext client and a client that does not trust the CA", async () => {
    expect((await refusal(healthCheck(pdp.port, grpc.credentials.createInsecure()))).code).toBe(grpc.status.UNAVAILABLE);
    expect((await refusal(healthCheck(pdp.port, await sslCredentials(otherCa.certFile)))).code).toBe(grpc.status.UNAVAILABLE);
  });

  it("serves /metrics and /healthz over HTTPS only", async () => {
    const port = pdp.metricsPort ?? 0;
    const metrics = await httpsGet(port, "/metrics", ca.certFile);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("# TYPE");
    expect((await httpsGet(port, "/healthz", ca.certFile)).status).toBe(200);
    await expect(plainHttpGet(port, "/metrics")).rejects.toThrow();
  });
});

describe("decision service with FLOWZONE_TLS_CLIENT_CA (mTLS)", () => {
  let pdp: RunningDecisionService;
  beforeAll(async () => {
    pdp = await startPdp({ certFile: server.cert, keyFile: server.key, clientCaFile: ca.certFile });
  });
  afterAll(() => pdp.close(500));

  it("answers a client with a certificate from the client CA", async () => {
    expect(await healthCheck(pdp.port, await sslCredentials(ca.certFile, client))).toEqual(SERVING);
  });

  it("refuses a client without a certificate, one whose certificate another CA signed, and plaintext", async () => {
    expect((await refusal(healthCheck(pdp.port, await sslCredentials(ca.certFile)))).code).toBe(grpc.status.UNAVAILABLE);
    expect((await refusal(healthCheck(pdp.port, await sslCredentials(ca.certFile, strangerClient)))).code).toBe(grpc.status.UNAVAILABLE);
    expect((await refusal(healthCheck(pdp.port, grpc.credentials.createInsecure()))).code).toBe(grpc.status.UNAVAILABLE);
  });

  it("keeps /metrics on HTTPS without asking for a client certificate (scrapers carry none)", async () => {
    expect((await httpsGet(pdp.metricsPort ?? 0, "/metrics", ca.certFile)).status).toBe(200);
  });
});

describe("control plane with TLS and a client CA", () => {
  let control: RunningControlService;
  beforeAll(async () => {
    control = await startControlService({
      controlPlane: InMemoryControlPlane.seeded(),
      host: "127.0.0.1",
      httpPort: 0,
      grpcPort: 0,
      logger: collectingLogger().logger,
      tls: { certFile: server.cert, keyFile: server.key, clientCaFile: ca.certFile },
    });
  });
  afterAll(() => control.close(500));

  it("ZoneService answers a client with a certificate and refuses one without, and plaintext", async () => {
    expect(await healthCheck(control.grpcPort, await sslCredentials(ca.certFile, client))).toEqual(SERVING);
    expect((await refusal(healthCheck(control.grpcPort, await sslCredentials(ca.certFile)))).code).toBe(grpc.status.UNAVAILABLE);
    expect((await refusal(healthCheck(control.grpcPort, grpc.credentials.createInsecure()))).code).toBe(grpc.status.UNAVAILABLE);
  });

  it("the HTTP API serves HTTPS, its probes and metrics included, and not plaintext", async () => {
    expect(await httpsGet(control.httpPort, "/healthz", ca.certFile)).toEqual({ status: 200, body: expect.stringContaining("ok") as unknown });
    expect((await httpsGet(control.httpPort, "/metrics", ca.certFile)).status).toBe(200);
    await expect(plainHttpGet(control.httpPort, "/healthz")).rejects.toThrow();
  });
});

describe("certificate rotation", () => {
  it("a new connection gets the new certificate once both files changed, without a restart; a half-written pair keeps the old one", async () => {
    // The service's own copies of the files, which the test then replaces.
    const live = { certFile: `${ca.dir}/live.pem`, keyFile: `${ca.dir}/live.key` };
    await copyFile(server.cert, live.certFile);
    await copyFile(server.key, live.keyFile);
    const { logger, lines } = collectingLogger("debug");
    const pdp = await startDecisionService({ policyDir, host: "127.0.0.1", port: 0, metricsPort: 0, reloadIntervalMs: 60_000, limits: DEFAULTS.limits, logger, tls: live });
    try {
      const metricsPort = pdp.metricsPort ?? 0;
      expect((await peerCertificate(pdp.port, ca.certFile, "h2")).serialNumber).toBe(server.serialNumber);
      expect((await peerCertificate(metricsPort, ca.certFile)).serialNumber).toBe(server.serialNumber);
      const rotated = await ca.server({ name: "rotated" });
      expect(rotated.serialNumber).not.toBe(server.serialNumber);

      // Step one: the certificate only. Its key is not in place yet: the old pair stays.
      await copyFile(rotated.cert, live.certFile);
      await waitFor("a warning that the files are not usable yet", () => lines.some((line) => line["msg"] === "TLS files changed but are not usable yet; still serving the previous certificate"), { timeoutMs: 10_000 });
      expect((await peerCertificate(pdp.port, ca.certFile, "h2")).serialNumber).toBe(server.serialNumber);
      expect(await healthCheck(pdp.port, await sslCredentials(ca.certFile))).toEqual(SERVING);

      // Step two: the key. Now the pair matches and new connections get it.
      await copyFile(rotated.key, live.keyFile);
      await waitFor("the decision service to serve the rotated certificate", async () => (await peerCertificate(pdp.port, ca.certFile, "h2")).serialNumber === rotated.serialNumber, { timeoutMs: 10_000 });
      const served = await peerCertificate(pdp.port, ca.certFile, "h2");
      expect(served.fingerprint256).toBe(rotated.fingerprint256);
      expect((await peerCertificate(metricsPort, ca.certFile)).fingerprint256).toBe(rotated.fingerprint256);
      expect(await healthCheck(pdp.port, await sslCredentials(ca.certFile))).toEqual(SERVING);
      expect(lines).toContainEqual(expect.objectContaining({ msg: "TLS certificate reloaded", previousSerialNumber: server.serialNumber, serialNumber: rotated.serialNumber }));
    } finally {
      await pdp.close(500);
    }
  });
});
