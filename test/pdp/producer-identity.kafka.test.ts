/**
 * Producer identity (issue 10, item 5; docs/reference/security.md): the real decision service under mTLS
 * names each caller by its client certificate's SPIFFE id and refuses a claim of another
 * producer with PERMISSION_DENIED naming both, audited as identity_mismatch; violations carry
 * the authenticated identity. The same through a client the project did not write (curl over
 * HTTP/2), which is also refused without a certificate and in plaintext. And bearer tokens
 * without mTLS, through the SDK: refusals counted on /metrics, and a token revoked by rewriting
 * the identities file refused without a restart.
 */
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { create, fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { clientConstructor, fromServiceError } from "@flowzone/grpc-kit";
import { DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import { AuditRecordSchema, CheckBatchRequestSchema, CheckRequestSchema, CheckResponseSchema, Credential, Decision, DecisionService, type AuditRecord, type CheckBatchResponse, type CheckRequest, type CheckResponse } from "@flowzone/proto";
import { FlowNotPermittedError, type GuardedProducer } from "@flowzone/sdk";

import { TestCa, type IssuedCertificate } from "../support/certificates";
import { testBrokers, testKafka, testKafkaConfig, uniqueTopic } from "../support/kafka";
import { collectingLogger, type LogLine } from "../support/logger";
import { waitUntil } from "../support/poll";
import { readToEnd } from "../support/topic-tail";
import { createTopics } from "../support/topics";
import { guardedProducer, recordsOf, SDK_BUNDLE } from "../sdk/sdk-harness";
import { curlCheck, curlHasHttp2, grpcMessages } from "./curl-grpc";
import { makeBundleDir } from "./pdp-harness";

const kafka = testKafka("pdp-identity-test");

/** Violates zone banana twice (boundary and no-export, enforced) whoever the producer is. */
const VIOLATING = { sink: "kafka:export-daily", labels: ["banana"] };
/**
 * curl's exit codes for a connection refused below gRPC: HTTP/2 error (16), the connection closed
 * before any HTTP/2 response (18), TLS error (35), send and receive failures (55, 56).
 */
const CONNECTION_REFUSALS = [16, 18, 35, 55, 56];
/** A clean allow. */
const CLEAN = { sink: "svc:banana-ranker", labels: ["banana"] };

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
interface RawClient extends grpc.Client {
  check(request: CheckRequest, metadata: grpc.Metadata, callback: Callback<CheckResponse>): grpc.ClientUnaryCall;
  checkBatch(request: ReturnType<typeof create<typeof CheckBatchRequestSchema>>, callback: Callback<CheckBatchResponse>): grpc.ClientUnaryCall;
  checkStream(): grpc.ClientDuplexStream<CheckRequest, CheckResponse>;
}
const RawDecisionClient = clientConstructor(DecisionService);

/** A grpc-js DecisionService client presenting `identity`'s certificate. */
async function mtlsClient(port: number, ca: TestCa, identity: IssuedCertificate): Promise<RawClient> {
  const credentials = grpc.credentials.createSsl(await readFile(ca.certFile), await readFile(identity.key), await readFile(identity.cert));
  return new RawDecisionClient(`127.0.0.1:${port}`, credentials) as unknown as RawClient;
}

function check(client: RawClient, init: Parameters<typeof create<typeof CheckRequestSchema>>[1]): Promise<CheckResponse> {
  return new Promise((resolve, reject) => {
    client.check(create(CheckRequestSchema, init), new grpc.Metadata(), (error, value) => {
      if (error !== null) reject(error);
      else if (value === undefined) reject(new Error("no response"));
      else resolve(value);
    });
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

/** Every audit record of `topic`, read to its end offsets, until `done` holds. */
function awaitAudit(topic: string, what: string, done: (records: AuditRecord[]) => boolean): Promise<AuditRecord[]> {
  const read = async (): Promise<AuditRecord[]> => (await readToEnd(kafka, topic)).flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)]));
  return waitUntil(what, read, done, { timeoutMs: 20_000, intervalMs: 200 });
}

const mismatches = (records: AuditRecord[]) => records.flatMap((r) => (r.event.case === "identityMismatch" ? [{ id: r.id, zone: r.zone, ...r.event.value }] : []));
const violations = (records: AuditRecord[]) => records.flatMap((r) => (r.event.case === "violation" ? [r.event.value] : []));

describe("producer identity under mTLS", () => {
  let ca: TestCa;
  let clientA: IssuedCertificate;
  let enforcer: IssuedCertificate;
  let nameless: IssuedCertificate;
  let server: IssuedCertificate;
  let service: RunningDecisionService;
  let policyDir: string;
  let lines: LogLine[];
  let asA: RawClient;
  const auditTopic = uniqueTopic("pdp-identity-audit");

  beforeAll(async () => {
    ca = await TestCa.create();
    server = await ca.server();
    clientA = await ca.client({ name: "svc-a", uris: ["spiffe://example.org/svc/a"] });
    enforcer = await ca.client({ name: "enforcer", uris: ["spiffe://example.org/svc/flowzone-enforcer"] });
    nameless = await ca.client({ name: "nameless", uris: ["spiffe://example.org/ns/prod/sa/nameless"] });
    const identities = path.join(ca.dir, "identities.yaml");
    await writeFile(identities, 'speaksFor:\n  svc:flowzone-enforcer: ["*"]\n');
    policyDir = await makeBundleDir();
    const collected = collectingLogger("info");
    lines = collected.lines;
    service = await startDecisionService({
      policyDir,
      host: "127.0.0.1",
      port: 0,
      reloadIntervalMs: 60_000,
      limits: DEFAULTS.limits,
      logger: collected.logger,
      tls: { certFile: server.cert, keyFile: server.key, clientCaFile: ca.certFile },
      identitiesFile: identities,
      brokers: testBrokers(),
      kafkaConfig: testKafkaConfig("decision"),
      auditTopic,
      controlTopic: uniqueTopic("pdp-identity-control"),
      auditSpoolDir: path.join(policyDir, ".spool"),
    });
    asA = await mtlsClient(service.port, ca, clientA);
  }, 60_000);

  afterAll(async () => {
    asA.close();
    await service.close(1_000);
    await ca.remove();
    await rm(policyDir, { recursive: true, force: true });
  });

  it("says at start that producers are authenticated by client certificate", () => {
    expect(lines.map((line) => line.msg)).toContain("producers are authenticated (client certificates); a caller may claim only the producers it speaks for");
  });

  it("answers a caller claiming its own identity, and records that identity on the violation beside the producer", async () => {
    const response = await check(asA, { requestId: "own", producer: "svc:a", ...VIOLATING });
    expect(response.decision).toBe(Decision.DENY);
    const records = await awaitAudit(auditTopic, "the violations of svc:a's check", (all) => all.some((r) => r.event.case === "violation" && r.event.value.decisionId === response.decisionId));
    const own = violations(records).filter((v) => v.decisionId === response.decisionId);
    expect(own.map((v) => ({ producer: v.producer, identity: v.authenticatedIdentity }))).toEqual([
      { producer: "svc:a", identity: "svc:a" },
      { producer: "svc:a", identity: "svc:a" },
    ]);
  }, 30_000);

  it("refuses a claim of another producer with PERMISSION_DENIED naming both, and audits it as an identity mismatch", async () => {
    const error = await refusal(check(asA, { requestId: "claim-b", producer: "svc:b", ...VIOLATING }));
    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.details).toBe('caller svc:a (authenticated by its client certificate) may not speak for producer "svc:b"; it speaks for itself and for the producers its speaksFor patterns in the identities file cover');
    expect(fromServiceError(error).details.metadata).toEqual({ identity: "svc:a", producer: "svc:b" });

    const records = await awaitAudit(auditTopic, "the identity mismatch of claim-b", (all) => mismatches(all).some((m) => m.requestId === "claim-b"));
    expect(mismatches(records).filter((m) => m.requestId === "claim-b")).toEqual([
      expect.objectContaining({ zone: "", authenticatedIdentity: "svc:a", credential: Credential.CLIENT_CERTIFICATE, producer: "svc:b", sink: "kafka:export-daily", method: "Check" }),
    ]);
    // Refused before deciding: no violation of svc:b's write was recorded.
    expect(violations(records).filter((v) => v.producer === "svc:b")).toEqual([]);
  }, 30_000);

  it("refuses a batch whole, naming the first offending request, with a mismatch record per offending request", async () => {
    const batch = create(CheckBatchRequestSchema, {
      requests: [
        create(CheckRequestSchema, { requestId: "batch-0", producer: "svc:a", sink: "kafka:export-batch", labels: ["banana"] }),
        create(CheckRequestSchema, { requestId: "batch-1", producer: "svc:b", ...CLEAN }),
        create(CheckRequestSchema, { requestId: "batch-2", producer: "svc:c", ...CLEAN }),
      ],
    });
    const error = await refusal(
      new Promise((resolve, reject) => {
        asA.checkBatch(batch, (e, v) => {
          if (e === null) resolve(v);
          else reject(e);
        });
      }),
    );
    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.details).toMatch(/^requests\[1\]\.producer: caller svc:a \(authenticated by its client certificate\) may not speak for producer "svc:b"/);
    expect(fromServiceError(error).details.metadata).toEqual({ identity: "svc:a", producer: "svc:b", index: "1" });

    const records = await awaitAudit(auditTopic, "the batch's two mismatch records", (all) => mismatches(all).filter((m) => m.method === "CheckBatch").length >= 2);
    expect(mismatches(records).filter((m) => m.method === "CheckBatch").map((m) => [m.requestId, m.producer])).toEqual([
      ["batch-1", "svc:b"],
      ["batch-2", "svc:c"],
    ]);
    // Nothing of the batch was decided: its own request's violation was never recorded.
    expect(violations(records).filter((v) => v.sink === "kafka:export-batch")).toEqual([]);
  }, 30_000);

  it("ends a stream at a claim of another producer, after answering the requests before it", async () => {
    const stream = asA.checkStream();
    const answered: string[] = [];
    const ended = new Promise<grpc.ServiceError>((resolve) => {
      stream.on("data", (response: CheckResponse) => answered.push(response.requestId));
      stream.on("error", resolve);
    });
    stream.write(create(CheckRequestSchema, { requestId: "s-1", producer: "svc:a", ...VIOLATING }));
    stream.write(create(CheckRequestSchema, { requestId: "s-2", producer: "svc:a", ...CLEAN }));
    stream.write(create(CheckRequestSchema, { requestId: "s-3", producer: "svc:b", ...CLEAN }));
    stream.write(create(CheckRequestSchema, { requestId: "s-4", producer: "svc:a", ...CLEAN }));
    stream.end();
    const error = await ended;
    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.details).toMatch(/^request_id "s-3": caller svc:a .* may not speak for producer "svc:b"/);
    expect(answered).toEqual(["s-1", "s-2"]);
    const records = await awaitAudit(auditTopic, "the stream's mismatch record", (all) => mismatches(all).some((m) => m.requestId === "s-3"));
    expect(mismatches(records).filter((m) => m.requestId === "s-3")).toEqual([expect.objectContaining({ producer: "svc:b", method: "CheckStream" })]);
  }, 30_000);

  it("lets an identity speak for the producers its speaksFor grant covers (the enforcer: any)", async () => {
    const asEnforcer = await mtlsClient(service.port, ca, enforcer);
    try {
      const response = await check(asEnforcer, { requestId: "relayed", producer: "svc:orders-enricher", ...VIOLATING });
      expect(response.decision).toBe(Decision.DENY);
      const records = await awaitAudit(auditTopic, "the relayed violations", (all) => violations(all).some((v) => v.decisionId === response.decisionId));
      expect(violations(records).find((v) => v.decisionId === response.decisionId)).toMatchObject({ producer: "svc:orders-enricher", authenticatedIdentity: "svc:flowzone-enforcer" });
    } finally {
      asEnforcer.close();
    }
  }, 30_000);

  it("answers our SDK as its certificate's identity, and refuses its claim of another producer naming both, writing nothing", async () => {
    const sdk = await guardedProducer({
      producer: "svc:a",
      decider: { mode: "remote", address: `127.0.0.1:${service.port}`, deadlineMs: 5_000, tls: { ca: ca.certFile, cert: clientA.cert, key: clientA.key } },
    });
    try {
      const topic = uniqueTopic("sdk-mtls");
      await createTopics(kafka, [topic]);
      // Zone email observes (logging): allowed, written, and its violation audited.
      const result = await sdk.send({ topic, messages: [{ value: "own" }], flow: { labels: ["pii.email"] } });
      expect(result.decision).toBe("allow");
      const error = await sdk.send({ topic, messages: [{ value: "claimed" }], flow: { producer: "svc:b", labels: [] } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlowNotPermittedError);
      expect(error).toMatchObject({ code: "not_permitted", identity: "svc:a", producer: "svc:b" });
      expect((error as Error).message).toMatch(/caller svc:a \(authenticated by its client certificate\) may not speak for producer "svc:b"/);
      expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["own"]);
      const records = await awaitAudit(auditTopic, "the SDK's violation", (all) => violations(all).some((v) => v.decisionId === result.decisionId));
      expect(violations(records).find((v) => v.decisionId === result.decisionId)).toMatchObject({ producer: "svc:a", authenticatedIdentity: "svc:a" });
    } finally {
      await sdk.disconnect();
    }
  }, 30_000);

  it("refuses a certificate that names no producer identity with UNAUTHENTICATED", async () => {
    const asNameless = await mtlsClient(service.port, ca, nameless);
    try {
      const error = await refusal(check(asNameless, { producer: "svc:nameless", ...CLEAN }));
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(error.details).toMatch(/^the client certificate names no producer identity \(it has URI:spiffe:\/\/example\.org\/ns\/prod\/sa\/nameless, CN=nameless\)/);
    } finally {
      asNameless.close();
    }
  }, 30_000);

  describe("through curl, a gRPC client the project did not write", () => {
    beforeAll(async () => {
      // The proof needs curl with HTTP/2; a machine without it must fail here, not pass quietly.
      expect(await curlHasHttp2()).toBe(true);
    });

    it("is answered as its certificate's own identity", async () => {
      const result = await curlCheck({ requestId: "curl-own", producer: "svc:a", ...CLEAN }, { scheme: "https", port: service.port, caFile: ca.certFile, certFile: clientA.cert, keyFile: clientA.key });
      expect({ exitCode: result.exitCode, grpcStatus: result.grpcStatus, stderr: result.stderr }).toEqual({ exitCode: 0, grpcStatus: grpc.status.OK, stderr: "" });
      const [message] = grpcMessages(result.body);
      const response = fromBinary(CheckResponseSchema, message ?? Buffer.alloc(0));
      expect({ requestId: response.requestId, decision: response.decision }).toEqual({ requestId: "curl-own", decision: Decision.ALLOW });
    });

    it("is refused with PERMISSION_DENIED naming both when it claims another producer", async () => {
      const result = await curlCheck({ requestId: "curl-claim", producer: "svc:b", ...CLEAN }, { scheme: "https", port: service.port, caFile: ca.certFile, certFile: clientA.cert, keyFile: clientA.key });
      expect(result.exitCode).toBe(0);
      expect(result.grpcStatus).toBe(grpc.status.PERMISSION_DENIED);
      expect(result.grpcMessage).toMatch(/^caller svc:a \(authenticated by its client certificate\) may not speak for producer "svc:b"/);
      expect(grpcMessages(result.body)).toEqual([]);
    });

    it("is refused at the handshake without a client certificate", async () => {
      const result = await curlCheck({ producer: "svc:a", ...CLEAN }, { scheme: "https", port: service.port, caFile: ca.certFile });
      // No gRPC exchange at all: under TLS 1.3 the server's "certificate required" alert comes
      // after curl's side of the handshake, so curl reports it as the TLS error (35), or as the
      // connection dropped under it (55 send, 56 receive), depending on timing.
      expect({ grpcStatus: result.grpcStatus, body: result.body.length }).toEqual({ grpcStatus: undefined, body: 0 });
      expect(CONNECTION_REFUSALS).toContain(result.exitCode);
    });

    it("is refused in plaintext", async () => {
      const result = await curlCheck({ producer: "svc:a", ...CLEAN }, { scheme: "http", port: service.port });
      // The TLS listener takes the cleartext HTTP/2 preface for a bad handshake and closes: curl sees
      // its stream end before any response (18).
      expect({ grpcStatus: result.grpcStatus, body: result.body.length }).toEqual({ grpcStatus: undefined, body: 0 });
      expect(CONNECTION_REFUSALS).toContain(result.exitCode);
    });
  });
});

describe("producer identity by bearer tokens, without mTLS", () => {
  const TOKEN = "t0ken-of-the-sdk-test-0001";
  let ca: TestCa;
  let service: RunningDecisionService;
  let policyDir: string;
  let producer: GuardedProducer;
  let identities: string;
  const auditTopic = uniqueTopic("pdp-token-audit");
  const address = (): string => `127.0.0.1:${service.port}`;

  beforeAll(async () => {
    ca = await TestCa.create();
    identities = path.join(ca.dir, "identities.yaml");
    await writeFile(identities, `tokens:\n  - identity: svc:token-user\n    token: ${TOKEN}\n`);
    policyDir = await makeBundleDir(SDK_BUNDLE);
    service = await startDecisionService({
      policyDir,
      host: "127.0.0.1",
      port: 0,
      reloadIntervalMs: 60_000,
      limits: DEFAULTS.limits,
      logger: collectingLogger().logger,
      identitiesFile: identities,
      brokers: testBrokers(),
      kafkaConfig: testKafkaConfig("decision"),
      auditTopic,
      controlTopic: uniqueTopic("pdp-token-control"),
      auditSpoolDir: path.join(policyDir, ".spool"),
      metricsPort: 0,
    });
    producer = await guardedProducer({ producer: "svc:token-user", decider: { mode: "remote", address: address(), deadlineMs: 5_000, bearerToken: TOKEN } });
  }, 60_000);

  afterAll(async () => {
    await producer.disconnect();
    await service.close(1_000);
    await ca.remove();
    await rm(policyDir, { recursive: true, force: true });
  });

  it("answers the SDK as its token's identity, and records that identity on the violation", async () => {
    const topic = uniqueTopic("sdk-crm-mail");
    await createTopics(kafka, [topic]);
    const result = await producer.send({ topic, messages: [{ value: "x" }], flow: { labels: ["pii.email"] } });
    expect(result.decision).toBe("allow");
    expect(result.violations).toHaveLength(1);
    const records = await awaitAudit(auditTopic, "the token caller's violation", (all) => violations(all).some((v) => v.decisionId === result.decisionId));
    expect(violations(records).find((v) => v.decisionId === result.decisionId)).toMatchObject({ producer: "svc:token-user", authenticatedIdentity: "svc:token-user" });
  }, 30_000);

  it("refuses the SDK's claim of another producer with FlowNotPermittedError naming both, writing nothing", async () => {
    const topic = uniqueTopic("sdk-claim");
    await createTopics(kafka, [topic]);
    const error = await producer.send({ topic, messages: [{ value: "claimed" }], flow: { producer: "svc:someone-else", labels: [] } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowNotPermittedError);
    expect(error).toMatchObject({ code: "not_permitted", identity: "svc:token-user", producer: "svc:someone-else" });
    await producer.send({ topic, messages: [{ value: "sentinel" }], flow: { labels: [] } });
    expect((await recordsOf(topic)).map((r) => r.value)).toEqual(["sentinel"]);
    const records = await awaitAudit(auditTopic, "the token caller's mismatch", (all) => mismatches(all).length >= 1);
    expect(mismatches(records)).toEqual([expect.objectContaining({ authenticatedIdentity: "svc:token-user", credential: Credential.BEARER_TOKEN, producer: "svc:someone-else", sink: `kafka:${topic}` })]);
  }, 30_000);

  it("refuses an SDK without a token with UNAUTHENTICATED, even failing open: a refusal is not an outage", async () => {
    const anonymous = await guardedProducer({ producer: "svc:token-user", failMode: "open", decider: { mode: "remote", address: address(), deadlineMs: 5_000 } });
    try {
      const topic = uniqueTopic("sdk-no-token");
      await createTopics(kafka, [topic]);
      const error = await anonymous.send({ topic, messages: [{ value: "x" }], flow: { labels: [] } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FlowNotPermittedError);
      expect((error as Error).message).toMatch(/refused this producer: the decision service authenticates its callers: present a client certificate \(mTLS\) or send the metadata 'authorization: Bearer <token>'/);
      expect(await recordsOf(topic)).toEqual([]);
    } finally {
      await anonymous.disconnect();
    }
  }, 30_000);

  it("answers curl with the token, over plaintext HTTP/2", async () => {
    const result = await curlCheck({ producer: "svc:token-user", sink: "kafka:crm-x" }, { scheme: "http", port: service.port, bearerToken: TOKEN });
    expect({ exitCode: result.exitCode, grpcStatus: result.grpcStatus }).toEqual({ exitCode: 0, grpcStatus: grpc.status.OK });
    const wrong = await curlCheck({ producer: "svc:token-user", sink: "kafka:crm-x" }, { scheme: "http", port: service.port, bearerToken: "not-the-token-at-all" });
    expect({ grpcStatus: wrong.grpcStatus, grpcMessage: wrong.grpcMessage }).toEqual({ grpcStatus: grpc.status.UNAUTHENTICATED, grpcMessage: "the bearer token is not valid" });
  });

  it("counts the refusals above on /metrics by reason and credential, never naming the identity or producer", async () => {
    const scraped = await fetch(`http://127.0.0.1:${service.metricsPort ?? 0}/metrics`);
    expect(scraped.status).toBe(200);
    const lines = (await scraped.text()).split("\n").filter((line) => line.startsWith("flowzone_caller_refusals_total{"));
    // The SDK's claim of svc:someone-else; the SDK without a token; curl's wrong token.
    expect(lines).toEqual([
      'flowzone_caller_refusals_total{reason="unauthenticated",credential="none"} 1',
      'flowzone_caller_refusals_total{reason="unauthenticated",credential="bearer_token"} 1',
      'flowzone_caller_refusals_total{reason="identity_mismatch",credential="bearer_token"} 1',
    ]);
  });

  it("refuses a token revoked by rewriting the identities file, without a restart, and answers its replacement", async () => {
    const REPLACEMENT = "t0ken-after-the-rotation-02";
    const as = (token: string) => curlCheck({ producer: "svc:token-user", sink: "kafka:crm-x" }, { scheme: "http", port: service.port, bearerToken: token });
    expect((await as(TOKEN)).grpcStatus).toBe(grpc.status.OK);
    // Replaced by rename, as an operator should, so the service never reads it half written.
    await writeFile(`${identities}.next`, `tokens:\n  - identity: svc:token-user\n    token: ${REPLACEMENT}\n`);
    await rename(`${identities}.next`, identities);
    const revoked = await waitUntil("the old token refused", () => as(TOKEN), (result) => result.grpcStatus !== grpc.status.OK, { timeoutMs: 10_000, intervalMs: 200 });
    expect({ grpcStatus: revoked.grpcStatus, grpcMessage: revoked.grpcMessage }).toEqual({ grpcStatus: grpc.status.UNAUTHENTICATED, grpcMessage: "the bearer token is not valid" });
    expect((await as(REPLACEMENT)).grpcStatus).toBe(grpc.status.OK);
  });
});
