/**
 * Shared set-up of the decision service integration tests: a realistic bundle written to a temp
 * dir, a real server on 127.0.0.1 port 0, a real grpc-js client, and the server's log lines.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { clientConstructor } from "@flowzone/grpc-kit";
import type { KafkaClientConfig } from "@flowzone/kafka";
import { DEFAULTS, startDecisionService } from "@flowzone/pdp";
import type { Limits, RunningDecisionService } from "@flowzone/pdp";
import { CheckBatchRequestSchema, CheckRequestSchema, DecisionService } from "@flowzone/proto";
import type { CheckBatchResponse, CheckRequest, CheckResponse } from "@flowzone/proto";
import { service as healthService } from "grpc-health-check";

import { uniqueTopic } from "../support/kafka";
import { collectingLogger, type LogLine } from "../support/logger";

export const BUNDLE: Readonly<Record<string, string>> = {
  "defaults.yaml": `kind: Defaults
enabled: true
mode: logging
failMode: open
quietPeriod: 24h
`,
  "labels.yaml": `kind: Label
name: banana
description: Data produced by the banana product
---
kind: Label
name: pii.email
description: Email addresses of customers
`,
  "assets/kafka.yaml": `kind: Asset
id: kafka:banana-events
labels: [banana]
owner: team-banana
---
kind: Asset
id: table:crm.contacts
labels: [pii.email]
owner: team-crm
`,
  "zones/banana.yaml": `kind: Zone
name: banana
description: Banana data is used for banana purposes only
owners: [privacy-banana]
protects: [banana]
members: [kafka:banana-*, svc:banana-ranker]
purposes: [banana]
mode: enforcement
rules:
  - name: no-export
    deny: [kafka:export-*]
    mode: inherit
`,
  "zones/email.yml": `kind: Zone
name: email
description: Customer emails stay in the CRM and the mailer
owners: [privacy-crm]
protects: [pii.email]
members: [table:crm.*, svc:mailer]
mode: logging
`,
};

export async function writeBundle(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

export async function makeBundleDir(files: Readonly<Record<string, string>> = BUNDLE): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowzone-pdp-"));
  await writeBundle(dir, files);
  return dir;
}

export interface StartOptions {
  readonly files?: Readonly<Record<string, string>>;
  /** Default 0: a free port. */
  readonly port?: number;
  readonly reloadIntervalMs?: number;
  readonly limits?: Limits;
  /** With a port (0: a free one), `/metrics`, `/healthz` and `/readyz` are served; see `service.metricsPort`. */
  readonly metricsPort?: number;
  /** With brokers: the audit trail and the control topic, on the given topics; `config`: TLS and SASL (test/support/kafka.ts testKafkaConfig). */
  readonly kafka?: {
    readonly brokers: readonly string[];
    readonly config?: KafkaClientConfig | undefined;
    readonly auditTopic: string;
    readonly controlTopic: string;
    readonly trafficIntervalMs?: number;
    /** Flow reports go here; without it a topic of the test's own (never the shared default). */
    readonly flowsTopic?: string;
    /** 0 turns flow reporting off; default the service's (5 s). */
    readonly flowReportIntervalMs?: number;
  };
}

export interface Pdp {
  readonly dir: string;
  readonly service: RunningDecisionService;
  readonly client: DecisionClient;
  readonly lines: LogLine[];
  readonly address: string;
  stop(): Promise<void>;
}

export async function startPdp(options: StartOptions = {}): Promise<Pdp> {
  const dir = await makeBundleDir(options.files);
  const { logger, lines } = collectingLogger("debug");
  const service = await startDecisionService({
    policyDir: dir,
    host: "127.0.0.1",
    port: options.port ?? 0,
    reloadIntervalMs: options.reloadIntervalMs ?? 60_000,
    limits: options.limits ?? DEFAULTS.limits,
    logger,
    ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
    ...(options.kafka === undefined
      ? {}
      : {
          brokers: options.kafka.brokers,
          kafkaConfig: options.kafka.config,
          auditTopic: options.kafka.auditTopic,
          controlTopic: options.kafka.controlTopic,
          auditSpoolDir: join(dir, ".spool"),
          trafficIntervalMs: options.kafka.trafficIntervalMs,
          flowsTopic: options.kafka.flowsTopic ?? uniqueTopic("pdp-flows"),
          flowReportIntervalMs: options.kafka.flowReportIntervalMs,
        }),
  });
  const address = `127.0.0.1:${service.port}`;
  const client = new DecisionClient(address);
  return {
    dir,
    service,
    client,
    lines,
    address,
    async stop(): Promise<void> {
      client.close();
      await service.close(1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type CheckInit = MessageInitShape<typeof CheckRequestSchema>;

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
interface RawClient extends grpc.Client {
  check(request: CheckRequest, metadata: grpc.Metadata, callback: Callback<CheckResponse>): grpc.ClientUnaryCall;
  checkBatch(request: MessageInitShape<typeof CheckBatchRequestSchema>, callback: Callback<CheckBatchResponse>): grpc.ClientUnaryCall;
  checkStream(): grpc.ClientDuplexStream<CheckRequest, CheckResponse>;
}

const RawDecisionClient = clientConstructor(DecisionService);

/** A promise-based DecisionService client over a real grpc-js channel. */
export class DecisionClient {
  readonly raw: RawClient;

  constructor(address: string) {
    this.raw = new RawDecisionClient(address, grpc.credentials.createInsecure()) as unknown as RawClient;
  }

  check(init: CheckInit, metadata: grpc.Metadata = new grpc.Metadata()): Promise<CheckResponse> {
    return new Promise((resolve, reject) => {
      this.raw.check(create(CheckRequestSchema, init), metadata, (error, value) => {
        if (error !== null) reject(error);
        else if (value === undefined) reject(new Error("no response"));
        else resolve(value);
      });
    });
  }

  checkBatch(requests: readonly CheckInit[]): Promise<CheckBatchResponse> {
    return new Promise((resolve, reject) => {
      this.raw.checkBatch(create(CheckBatchRequestSchema, { requests: requests.map((r) => create(CheckRequestSchema, r)) }), (error, value) => {
        if (error !== null) reject(error);
        else if (value === undefined) reject(new Error("no response"));
        else resolve(value);
      });
    });
  }

  stream(): grpc.ClientDuplexStream<CheckRequest, CheckResponse> {
    return this.raw.checkStream();
  }

  close(): void {
    this.raw.close();
  }
}

/** The error a promise rejected with, as a grpc ServiceError; fails when it resolved. */
export async function grpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error("expected the call to fail");
}

/** Resolves with the next message of a stream. */
export function nextMessage<T>(stream: NodeJS.ReadableStream): Promise<T> {
  return new Promise((resolve, reject) => {
    const onData = (message: T): void => {
      stream.off("error", onError);
      resolve(message);
    };
    const onError = (error: Error): void => {
      stream.off("data", onData);
      reject(error);
    };
    stream.once("data", onData);
    stream.once("error", onError);
  });
}

/** Resolves with the stream's final status (OK or the error's). */
export function streamStatus(stream: grpc.ClientDuplexStream<CheckRequest, CheckResponse>): Promise<grpc.StatusObject> {
  return new Promise((resolve) => {
    stream.on("error", () => undefined);
    stream.on("status", resolve);
  });
}

type HealthCallback = (error: grpc.ServiceError | null, value?: { status: string }) => void;
interface RawHealthClient extends grpc.Client {
  Check(request: { service: string }, callback: HealthCallback): void;
}

const RawHealthClientConstructor = grpc.makeGenericClientConstructor(healthService, "Health");

/** A promise-based `grpc.health.v1.Health` client over a real grpc-js channel. */
export class HealthClient {
  private readonly raw: RawHealthClient;

  constructor(address: string) {
    this.raw = new RawHealthClientConstructor(address, grpc.credentials.createInsecure()) as unknown as RawHealthClient;
  }

  /** The status the server reports for `service` ("" is the server as a whole): SERVING, NOT_SERVING, … */
  check(service: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.raw.Check({ service }, (error, value) => {
        if (error !== null) reject(error);
        else resolve(value?.status ?? "");
      });
    });
  }

  close(): void {
    this.raw.close();
  }
}
