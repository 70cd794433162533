// The clients' TLS settings against servers with TLS (docs/reference/configuration.md, "TLS"): the SDK's remote decider
// (`decider.tls`) against a decision service requiring client certificates, the CLI
// (FLOWZONE_TLS_CA, FLOWZONE_TLS_CLIENT_CERT / KEY) against the control plane's HTTPS API, and
// the built `flowzone pdp` started with FLOWZONE_TLS_* (and refusing to start on a bad file).
import { readFile, rm, writeFile } from "node:fs/promises";

import * as grpc from "@grpc/grpc-js";
import { run } from "@flowzone/cli";
import { startControlService, type RunningControlService } from "@flowzone/control-service";
import { DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import { FlowCheckUnavailableError, FlowDeniedError, type GuardedProducer } from "@flowzone/sdk";

import { InMemoryControlPlane } from "../control-api/in-memory-control-plane";
import { makeBundleDir } from "../pdp/pdp-harness";
import { guardedProducer } from "../sdk/sdk-harness";
import { TestCa, type IssuedCertificate } from "../support/certificates";
import { uniqueTopic } from "../support/kafka";
import { collectingLogger } from "../support/logger";
import { decisionServicePort, TestProcess } from "../support/processes";

let ca: TestCa;
let server: IssuedCertificate;
let client: IssuedCertificate;
let policyDir: string;

beforeAll(async () => {
  ca = await TestCa.create();
  server = await ca.server();
  client = await ca.client({ uris: ["spiffe://example.org/svc/orders-enricher"] });
  policyDir = await makeBundleDir();
});

afterAll(async () => {
  await ca.remove();
  await rm(policyDir, { recursive: true, force: true });
});

describe("SDK remote decider with decider.tls", () => {
  let pdp: RunningDecisionService;
  const producers: GuardedProducer[] = [];
  beforeAll(async () => {
    pdp = await startDecisionService({
      policyDir,
      host: "127.0.0.1",
      port: 0,
      reloadIntervalMs: 60_000,
      limits: DEFAULTS.limits,
      logger: collectingLogger().logger,
      tls: { certFile: server.cert, keyFile: server.key, clientCaFile: ca.certFile },
    });
  });
  afterAll(async () => {
    for (const producer of producers) await producer.disconnect();
    await pdp.close(500);
  });

  async function producerWith(tls: { ca?: string; cert?: string; key?: string } | undefined): Promise<GuardedProducer> {
    const producer = await guardedProducer({
      producer: "svc:orders-enricher",
      failMode: "closed",
      cacheMaxEntries: 0,
      decider: { mode: "remote", address: `127.0.0.1:${pdp.port}`, deadlineMs: 3_000, followControlTopic: false, tls },
    });
    producers.push(producer);
    return producer;
  }
  /** A write the bundle denies (banana data leaving its zone): only the decision service can say so. */
  const deniedWrite = () => ({ topic: uniqueTopic("tls-outside"), messages: [{ value: "x" }], flow: { labels: ["banana"] } });

  it("gets the decision service's answer with the CA and a client certificate", async () => {
    const producer = await producerWith({ ca: ca.certFile, cert: client.cert, key: client.key });
    await expect(producer.send(deniedWrite())).rejects.toBeInstanceOf(FlowDeniedError);
  });

  it("cannot check without a client certificate, or in plaintext: the write fails closed", async () => {
    for (const tls of [{ ca: ca.certFile }, undefined]) {
      const producer = await producerWith(tls);
      await expect(producer.send(deniedWrite())).rejects.toBeInstanceOf(FlowCheckUnavailableError);
    }
  });
});

describe("CLI with FLOWZONE_TLS_CA against the HTTPS control plane", () => {
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

  async function cli(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await run(["zones", "--json"], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { FLOWZONE_CONTROL_URL: `https://localhost:${control.httpPort}`, ...env },
    });
    return { code, stdout, stderr };
  }

  it("lists the zones over HTTPS trusting the CA, with or without a client certificate", async () => {
    const envs: Record<string, string>[] = [{ FLOWZONE_TLS_CA: ca.certFile }, { FLOWZONE_TLS_CA: ca.certFile, FLOWZONE_TLS_CLIENT_CERT: client.cert, FLOWZONE_TLS_CLIENT_KEY: client.key }];
    for (const env of envs) {
      const result = await cli(env);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect((JSON.parse(result.stdout) as { zones: { name: string }[] }).zones.map((zone) => zone.name)).toEqual(["banana", "email"]);
    }
  });

  it("refuses a server its CA did not sign, and says which setting to look at", async () => {
    const result = await cli({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the control plane at https://localhost:${control.httpPort}`);
    expect(result.stderr).toContain("does FLOWZONE_TLS_CA name the CA that signed its certificate");
  });

  it("is a usage error with a client certificate but no key, or a CA file that is not PEM", async () => {
    const noKey = await cli({ FLOWZONE_TLS_CA: ca.certFile, FLOWZONE_TLS_CLIENT_CERT: client.cert });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("FLOWZONE_TLS_CLIENT_CERT: is set without FLOWZONE_TLS_CLIENT_KEY; a client certificate needs both");
    const notPem = `${ca.dir}/not-pem.txt`;
    await writeFile(notPem, "hello\n");
    const bad = await cli({ FLOWZONE_TLS_CA: notPem });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`FLOWZONE_TLS_CA: "${notPem}" is not a PEM file`);
  });
});

describe("flowzone pdp with FLOWZONE_TLS_*", () => {
  const env = (extra: Record<string, string>) => ({ PATH: process.env["PATH"] ?? "", FLOWZONE_LOG_FORMAT: "json", FLOWZONE_POLICY: policyDir, FLOWZONE_PDP_PORT: "0", FLOWZONE_METRICS_PORT: "0", ...extra });

  it("serves gRPC over mTLS: a client with a certificate is answered, one without refused", async () => {
    const pdp = TestProcess.flowzone("pdp", ["pdp"], { env: env({ FLOWZONE_TLS_CERT: server.cert, FLOWZONE_TLS_KEY: server.key, FLOWZONE_TLS_CLIENT_CA: ca.certFile }) });
    try {
      await pdp.waitFor("the decision service to listen", (p) => decisionServicePort(p.stdout) !== undefined);
      expect(pdp.stdout).toMatch(/"msg":"decision service listening"[^\n]*"tls":"mtls"|"tls":"mtls"[^\n]*"msg":"decision service listening"/);
      const port = decisionServicePort(pdp.stdout) ?? 0;
      const [rootCerts, key, cert] = await Promise.all([readFile(ca.certFile), readFile(client.key), readFile(client.cert)]);
      expect(await ready(port, grpc.credentials.createSsl(rootCerts, key, cert))).toBe(true);
      expect(await ready(port, grpc.credentials.createSsl(rootCerts))).toBe(false);
    } finally {
      pdp.signal("SIGTERM");
      await pdp.exited;
    }
  });

  it.each([
    ["a missing certificate file", () => ({ FLOWZONE_TLS_CERT: `${ca.dir}/nope.pem`, FLOWZONE_TLS_KEY: server.key }), () => `FLOWZONE_TLS_CERT: ${ca.dir}/nope.pem cannot be read (ENOENT: no such file or directory)`],
    ["a key that is not the certificate's", () => ({ FLOWZONE_TLS_CERT: server.cert, FLOWZONE_TLS_KEY: client.key }), () => `${client.key} is not the private key of the certificate in ${server.cert}`],
    ["a client CA without a certificate", () => ({ FLOWZONE_TLS_CLIENT_CA: ca.certFile }), () => "FLOWZONE_TLS_CLIENT_CA: is set without FLOWZONE_TLS_CERT and FLOWZONE_TLS_KEY"],
  ] as [string, () => Record<string, string>, () => string][])("refuses to start with %s (exit 2), naming it", async (_, extra, message) => {
    const pdp = TestProcess.flowzone("pdp", ["pdp"], { env: env(extra()) });
    const exit = await pdp.exited;
    expect(exit.code).toBe(2);
    expect(pdp.stderr + pdp.stdout).toContain(message());
  });
});

/** Whether a channel with `credentials` gets ready within three seconds. */
function ready(port: number, credentials: grpc.ChannelCredentials): Promise<boolean> {
  const channel = new grpc.Client(`127.0.0.1:${port}`, credentials);
  return new Promise<boolean>((resolve) => {
    channel.waitForReady(Date.now() + 3_000, (error) => {
      resolve(error === undefined);
    });
  }).finally(() => {
    channel.close();
  });
}
