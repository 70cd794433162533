/**
 * The whole of flowzone on real parts for the lifecycle test: PostgreSQL (a schema of its own),
 * the shared Kafka broker (topics of its own), the control plane and its HTTP API with a token
 * file, the decision service over gRPC, and the stream enforcer deciding through the policy
 * runtime that follows the control topic. Plus the test's eyes: tails of the audit, output and
 * quarantine topics (read_committed), an HTTP client, and polling with deadlines.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";

import { fromBinary } from "@bufbuild/protobuf";
import { startControlPlane, type Database, type RunningControlPlane } from "@flowzone/control";
import { startControlService, type RunningControlService } from "@flowzone/control-service";
import { startEnforcer, type Route, type RunningEnforcer } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";
import { DEFAULTS as PDP_DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import { startPolicyRuntime, type PolicyRuntime } from "@flowzone/policy-runtime";
import { AuditRecordSchema, type AuditRecord } from "@flowzone/proto";
import type { Consumer, IHeaders, Kafka, KafkaMessage } from "kafkajs";

import { openTestDatabase } from "../control-core/control-support";
import { DecisionClient } from "../pdp/pdp-harness";
import { testBrokers, testKafka, uniqueTopic } from "../support/kafka";

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
  readonly api: ControlApi;
  readonly pdp: DecisionClient;
  readonly decisionService: RunningDecisionService;
  readonly enforcer: RunningEnforcer;
  /** Decoded audit records, in arrival order. */
  readonly audit: AuditTail;
  readonly out: TopicTail;
  readonly quarantined: TopicTail;
  /** The last warnings and errors the parts logged (JSON lines), to look at when a step fails. */
  readonly problems: readonly string[];
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
    const { logger, problems } = problemLogger();
    const brokers = testBrokers();
    const kafka = createKafka({ brokers, clientId: "lifecycle-test", logger });
    const client = testKafka("lifecycle-test-client");
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

    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: topics.from, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const { db, drop } = await openTestDatabase();
    const database: Database = db;
    stops.push(drop);
    const control: RunningControlPlane = await startControlPlane({
      database,
      kafka,
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
      auditTopic: topics.audit,
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

    const runtime: PolicyRuntime = await startPolicyRuntime({ policyDir, reloadIntervalMs: 1000, logger, kafka, controlTopic: topics.control });
    stops.push(() => runtime.close());
    const enforcer = await startEnforcer({ kafka, routes: [route], policy: runtime.holder, logger, auditTopic: topics.audit, sessionTimeoutMs: 6000 });
    stops.push(() => enforcer.close());

    const [audit, out, quarantined] = await Promise.all([
      AuditTail.start(client, topics.audit),
      TopicTail.start(client, topics.to),
      TopicTail.start(client, topics.quarantine),
    ]);
    stops.push(() => audit.close(), () => out.close(), () => quarantined.close());

    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    stops.push(() => producer.disconnect());

    return {
      topics,
      route,
      api: new ControlApi(`http://127.0.0.1:${controlService.httpPort}`),
      pdp,
      decisionService,
      enforcer,
      audit,
      out,
      quarantined,
      problems,
      async produce(messages) {
        await producer.send({ topic: topics.from, acks: -1, messages: messages.map((m) => ({ ...m })) });
      },
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

/** A logger that keeps the parts' warnings and errors (and prints nothing). */
function problemLogger(): { logger: Logger; problems: string[] } {
  const problems: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line !== "") problems.push(line);
      if (problems.length > 200) problems.splice(0, problems.length - 200);
      done();
    },
  });
  return { logger: createLogger({ level: "warn", destination, service: "lifecycle" }), problems };
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

/** Every record of a topic from its beginning, read_committed, as it arrives. */
export class TopicTail {
  readonly messages: KafkaMessage[] = [];
  /** The next offset this tail reads, per partition, past control records and aborted records too. */
  private readonly positions = new Map<number, number>();
  private topic = "";

  protected constructor(
    private readonly kafka: Kafka,
    private readonly consumer: Consumer,
  ) {}

  static async start(kafka: Kafka, topic: string): Promise<TopicTail> {
    const tail = new TopicTail(kafka, tailConsumer(kafka));
    await tail.run(topic, (message) => tail.messages.push(message));
    return tail;
  }

  protected async run(topic: string, onMessage: (message: KafkaMessage) => void): Promise<void> {
    this.topic = topic;
    // Emitted once a fetched batch is handled, also for one of only transaction markers.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.positions.set(payload.partition, Math.max(this.positions.get(payload.partition) ?? 0, Number(payload.lastOffset) + 1));
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: ({ message }) => {
        onMessage(message);
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }

  values(): string[] {
    return this.messages.map((m) => m.value?.toString("utf8") ?? "");
  }

  /**
   * Waits until this tail has read every partition to the end offsets the topic has now, so any
   * record written before the call is in {@link messages}: the signal to wait for before asserting
   * that something did not arrive.
   */
  async readToEnd(timeoutMs = 20_000): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    await waitUntil(
      `the tail of ${this.topic} to read every partition to its end offsets ${ends.map((e) => `${e.partition}:${e.high}`).join(", ")}`,
      () => ends.filter((e) => (this.positions.get(e.partition) ?? 0) < Number(e.high)).map((e) => `partition ${e.partition} at ${this.positions.get(e.partition) ?? 0}`),
      (behind) => behind.length === 0,
      timeoutMs,
      20,
    );
  }
}

/** The kinds of audit events, as protobuf-es names the oneof cases. */
export type AuditKind = NonNullable<AuditRecord["event"]["case"]>;

/** One audit record with its event of kind `K`. */
export interface AuditEntry<K extends AuditKind> {
  readonly record: AuditRecord;
  readonly event: Extract<AuditRecord["event"], { case: K }>["value"];
}

/** The audit topic, decoded. */
export class AuditTail extends TopicTail {
  readonly records: AuditRecord[] = [];

  static override async start(kafka: Kafka, topic: string): Promise<AuditTail> {
    const tail = new AuditTail(kafka, tailConsumer(kafka));
    await tail.run(topic, (message) => {
      tail.messages.push(message);
      if (message.value !== null) tail.records.push(fromBinary(AuditRecordSchema, message.value));
    });
    return tail;
  }

  /** The records of one kind of event, in arrival order, with their event narrowed. */
  of<K extends AuditKind>(kind: K): AuditEntry<K>[] {
    const found: AuditEntry<K>[] = [];
    for (const record of this.records) {
      if (record.event.case === kind) found.push({ record, event: record.event.value as AuditEntry<K>["event"] });
    }
    return found;
  }
}

function tailConsumer(kafka: Kafka): Consumer {
  return kafka.consumer({ groupId: uniqueTopic("lifecycle-tail"), readUncommitted: false, maxWaitTimeInMs: 100 });
}

/**
 * Polls `read` until `accept` holds for what it returned, and returns that; after `timeoutMs`
 * throws naming `what` with the last value seen (or the last error), so a failure says why.
 */
export async function waitUntil<T>(what: string, read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "nothing";
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      last = JSON.stringify(value, bigints);
    } catch (error) {
      last = `an error: ${String(error)}`;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${last}`);
    }
    await sleep(intervalMs);
  }
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
