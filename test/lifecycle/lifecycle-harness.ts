/**
 * The whole of flowzone on real parts for the lifecycle test: PostgreSQL (a schema of its own),
 * the shared Kafka broker (topics of its own), the control plane and its HTTP API with a token
 * file, the decision service over gRPC, and the stream enforcer deciding through the policy
 * runtime that follows the control topic. Plus the test's eyes: tails of the audit, output and
 * quarantine topics (read_committed, test/support's TopicTail) and an HTTP client.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { fromBinary } from "@bufbuild/protobuf";
import { startControlPlane, type Database, type RunningControlPlane } from "@flowzone/control";
import { startControlService, type RunningControlService } from "@flowzone/control-service";
import { startEnforcer, type Route, type RunningEnforcer } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import { DEFAULTS as PDP_DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import { startPolicyRuntime, type PolicyRuntime } from "@flowzone/policy-runtime";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import type { IHeaders, Kafka } from "kafkajs";

import { DecisionClient } from "../pdp/pdp-harness";
import { openTestDatabase } from "../support/database";
import { testBrokers, testKafka, testKafkaConfig, uniqueTopic } from "../support/kafka";
import { collectingLogger, type LogLine } from "../support/logger";
import { TopicTail, type TopicMessage } from "../support/topic-tail";
import { createTopics, produce } from "../support/topics";

/** The zone under test and its quiet period (seconds in tests, days in production). */
export const ZONE = "banana";
export const QUIET_PERIOD_MS = 3000;

/** Who may do what: the token file the control service reads at start. */
export const ADMIN = { token: `admin-${randomBytes(16).toString("hex")}`, subject: "alice@privacy", role: "privacy-admin" } as const;
export const VIEWER = { token: `viewer-${randomBytes(16).toString("hex")}`, subject: "bob@analytics", role: "viewer" } as const;

/**
 * The policy bundle: the enforcer's source topic carries `banana`; zone banana (logging, quiet
 * period 3s) admits `kafka:banana-*`, `svc:banana-ranker` and whatever `extraMembers` adds.
 */
export function bundleFiles(fromTopic: string, extraMembers: readonly string[] = []): Record<string, string> {
  const members = ["kafka:banana-*", "svc:banana-ranker", ...extraMembers].join(", ");
  return {
    "defaults.yaml": ["kind: Defaults", "enabled: true", "mode: logging", "failMode: open", "quietPeriod: 24h", ""].join("\n"),
    "labels.yaml": ["kind: Label", "name: banana", "description: Data produced by the banana product", ""].join("\n"),
    "assets.yaml": ["kind: Asset", `id: kafka:${fromTopic}`, "labels: [banana]", "owner: team-banana", ""].join("\n"),
    "zones.yaml": [
      "kind: Zone",
      `name: ${ZONE}`,
      "description: Banana data is used for banana purposes only",
      "owners: [privacy-banana]",
      "protects: [banana]",
      `members: [${members}]`,
      "purposes: [banana]",
      "mode: logging",
      `quietPeriod: ${QUIET_PERIOD_MS / 1000}s`,
      "",
    ].join("\n"),
  };
}

/** The topics of one run. */
export interface Topics {
  readonly audit: string;
  readonly control: string;
  readonly from: string;
  readonly to: string;
  readonly quarantine: string;
}

/** A running flowzone and the test's handles on it. */
export interface Stack {
  readonly topics: Topics;
  readonly route: Route;
  /** The test's own client of the broker (topics, tails, a group's offsets; on the secured broker, the super user). */
  readonly client: Kafka;
  readonly api: ControlApi;
  readonly pdp: DecisionClient;
  readonly decisionService: RunningDecisionService;
  readonly enforcer: RunningEnforcer;
  /** Decoded audit records, in arrival order. */
  readonly audit: AuditTail;
  readonly out: TopicTail;
  readonly quarantined: TopicTail;
  /** The warnings and errors the parts logged, to look at when a step fails. */
  readonly problems: readonly LogLine[];
  /** Produces data records to the route's source topic. */
  produce(messages: readonly { key: string; value: string; headers?: IHeaders }[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts every part in dependency order; a part that fails to start stops the ones before it. */
export async function startStack(): Promise<Stack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const { logger, lines: problems } = collectingLogger("warn");
    const brokers = testBrokers();
    // Each part as the principal it runs as in production (on the secured broker; on a plaintext one they connect alike).
    const controlKafka = createKafka({ brokers, clientId: "lifecycle-test-control", logger, config: testKafkaConfig("control") });
    const decisionConfig = testKafkaConfig("decision");
    const decisionKafka = createKafka({ brokers, clientId: "lifecycle-test-decision", logger, config: decisionConfig });
    // The test's topics and tails as the super user; the route's input as an application.
    const client = testKafka("lifecycle-test-client");
    const application = testKafka("lifecycle-test-application", "producer");
    const topics: Topics = {
      audit: uniqueTopic("lifecycle-audit"),
      control: uniqueTopic("lifecycle-control"),
      from: uniqueTopic("lifecycle-in"),
      to: uniqueTopic("lifecycle-out"),
      quarantine: uniqueTopic("lifecycle-quarantine"),
    };
    const route: Route = { name: uniqueTopic("lifecycle"), from: topics.from, to: topics.to, quarantine: topics.quarantine, producer: "svc:banana-enricher" };

    const workDir = await mkdtemp(join(tmpdir(), "flowzone-lifecycle-"));
    stops.push(() => rm(workDir, { recursive: true, force: true }));
    const policyDir = join(workDir, "policy");
    await writeDir(policyDir, bundleFiles(topics.from));
    const tokensFile = join(workDir, "tokens.yaml");
    await writeFile(tokensFile, `tokens:\n${[ADMIN, VIEWER].map((t) => `  - { token: ${t.token}, subject: "${t.subject}", role: ${t.role} }`).join("\n")}\n`);

    await createTopics(client, [topics.from]);

    const { db, drop } = await openTestDatabase();
    const database: Database = db;
    stops.push(drop);
    const control: RunningControlPlane = await startControlPlane({
      database,
      kafka: controlKafka,
      policyDir,
      logger,
      tickMs: 1000,
      auditTopic: topics.audit,
      controlTopic: topics.control,
      groupId: uniqueTopic("lifecycle-backlog"),
    });
    stops.push(() => control.close());
    const controlService: RunningControlService = await startControlService({
      controlPlane: control.controlPlane,
      host: "127.0.0.1",
      httpPort: 0,
      grpcPort: 0,
      tokensFile,
      logger,
    });
    stops.push(() => controlService.close(500));

    const decisionService = await startDecisionService({
      policyDir,
      host: "127.0.0.1",
      port: 0,
      reloadIntervalMs: 1000,
      limits: PDP_DEFAULTS.limits,
      logger,
      brokers,
      kafkaConfig: decisionConfig,
      auditTopic: topics.audit,
      flowsTopic: `${topics.audit}-flows`,
      controlTopic: topics.control,
      auditSpoolDir: join(workDir, "spool"),
      trafficIntervalMs: 250,
    });
    stops.push(() => decisionService.close(500));
    const pdp = new DecisionClient(`127.0.0.1:${decisionService.port}`);
    stops.push(() => {
      pdp.close();
      return Promise.resolve();
    });

    const runtime: PolicyRuntime = await startPolicyRuntime({ policyDir, reloadIntervalMs: 1000, logger, kafka: decisionKafka, controlTopic: topics.control });
    stops.push(() => runtime.close());
    const enforcer = await startEnforcer({ kafka: decisionKafka, routes: [route], policy: runtime.holder, logger, auditTopic: topics.audit, flowsTopic: `${topics.audit}-flows`, sessionTimeoutMs: 6000 });
    stops.push(() => enforcer.close());

    const [audit, out, quarantined] = await Promise.all([
      AuditTail.start(client, topics.audit),
      TopicTail.start(client, topics.to),
      TopicTail.start(client, topics.quarantine),
    ]);
    stops.push(() => audit.close(), () => out.close(), () => quarantined.close());

    return {
      topics,
      route,
      client,
      api: new ControlApi(`http://127.0.0.1:${controlService.httpPort}`),
      pdp,
      decisionService,
      enforcer,
      audit,
      out,
      quarantined,
      problems,
      produce: (messages) => produce(application, topics.from, messages),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function writeDir(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
}

/** One HTTP reply: status and parsed JSON body (undefined when empty). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** The control plane's HTTP API, as a privacy team's script calls it. */
export class ControlApi {
  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, options: { readonly token?: string; readonly body?: unknown } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    const response = await fetch(`${this.baseUrl}${path}`, init);
    const text = await response.text();
    return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as unknown) };
  }

  /** A read that must succeed (viewer token). */
  async get<T>(path: string): Promise<T> {
    const reply = await this.call("GET", path, { token: VIEWER.token });
    if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body as T;
  }
}

/** The kinds of audit events, as protobuf-es names the oneof cases. */
export type AuditKind = NonNullable<AuditRecord["event"]["case"]>;

/** One audit record with its event of kind `K`. */
export interface AuditEntry<K extends AuditKind> {
  readonly record: AuditRecord;
  readonly event: Extract<AuditRecord["event"], { case: K }>["value"];
}

/** The audit topic, decoded: a {@link TopicTail} whose records are decoded as they are asked for. */
export class AuditTail {
  private readonly decoded: AuditRecord[] = [];
  /** How many of the tail's messages {@link decoded} covers. */
  private decodedUpTo = 0;

  private constructor(private readonly tail: TopicTail) {}

  static async start(kafka: Kafka, topic: string): Promise<AuditTail> {
    return new AuditTail(await TopicTail.start(kafka, topic));
  }

  /** The raw records, in arrival order. */
  get messages(): readonly TopicMessage[] {
    return this.tail.messages;
  }

  /** The decoded records, in arrival order. */
  get records(): readonly AuditRecord[] {
    for (const message of this.tail.messages.slice(this.decodedUpTo)) {
      if (message.value !== null) this.decoded.push(fromBinary(AuditRecordSchema, message.value));
    }
    this.decodedUpTo = this.tail.messages.length;
    return this.decoded;
  }

  /** The records of one kind of event, in arrival order, with their event narrowed. */
  of<K extends AuditKind>(kind: K): AuditEntry<K>[] {
    const found: AuditEntry<K>[] = [];
    for (const record of this.records) {
      if (record.event.case === kind) found.push({ record, event: record.event.value as AuditEntry<K>["event"] });
    }
    return found;
  }

  /** See {@link TopicTail.readToEnd}: every audit record written before the call is in {@link records} after it. */
  readToEnd(timeoutMs?: number): Promise<void> {
    return this.tail.readToEnd(timeoutMs);
  }

  close(): Promise<void> {
    return this.tail.close();
  }
}
