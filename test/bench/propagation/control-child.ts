/**
 * The control plane of the propagation benchmark in its own process, as `flowzone control` runs
 * it: openDatabase (a fresh schema on the PostgreSQL server, or PGlite in a temporary directory
 * when the server cannot be reached), startControlPlane and startControlService on 127.0.0.1
 * with port 0. Prints {"benchControl": {...}} once serving, then one {"benchFlip": FlipTrace}
 * line per flip: where the flip's time went (transaction, each Kafka produce, commit), measured
 * by wrapping the database and the Kafka client it hands to the control plane (no package
 * changes). Exits when its stdin closes.
 *
 * Usage: node control-child.js '<ControlChildConfig as JSON>'
 */
import { AsyncLocalStorage } from "node:async_hooks";

import { openDatabase, startControlPlane } from "@flowzone/control";
import type { Actor, ControlPlane, Database, ExceptionRequest, FlipRequest, FlowListQuery, Queryable, Row, ViolationQuery, WhatIfRequest } from "@flowzone/control";
import { startControlService } from "@flowzone/control-service";
import { createKafka } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";
import type { Kafka, ProducerConfig, RecordMetadata } from "kafkajs";

import type { ControlChildConfig, ControlReady, FlipTrace, FlipTraceLine } from "./child-protocol";
import { wallMs } from "./settings";

/** The flip in progress, seen from the database and Kafka wrappers below. */
const currentFlip = new AsyncLocalStorage<FlipTrace>();

function say(line: ControlReady | FlipTraceLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Times every produce made while a flip is in progress. */
function tracedKafka(kafka: Kafka): Kafka {
  const producer = kafka.producer.bind(kafka);
  kafka.producer = (config?: ProducerConfig) => {
    const p = producer(config);
    // The control plane sends only through sendBatch (its record sender's PartitionedSender): one entry per topic.
    const sendBatch = p.sendBatch.bind(p);
    p.sendBatch = async (batch) => {
      const trace = currentFlip.getStore();
      const start = wallMs();
      let metadata: RecordMetadata[] = [];
      try {
        metadata = await sendBatch(batch);
        return metadata;
      } finally {
        const end = wallMs();
        for (const { topic } of batch.topicMessages ?? []) trace?.sends.push({ topic, start, end, offset: metadata.find((m) => m.topicName === topic)?.baseOffset });
      }
    };
    return p;
  };
  return kafka;
}

/** Times the transaction a flip runs in: begin, work done, committed. */
function tracedDatabase(db: Database): Database {
  return {
    driver: db.driver,
    leaderLock: () => db.leaderLock(),
    query: <T extends object = Row>(sql: string, params?: readonly unknown[]) => db.query<T>(sql, params),
    close: () => db.close(),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const trace = currentFlip.getStore();
      if (trace === undefined) return db.transaction(work);
      trace.txStart = wallMs();
      const result = await db.transaction(async (tx) => {
        const out = await work(tx);
        trace.workEnd = wallMs();
        return out;
      });
      trace.commitEnd = wallMs();
      return result;
    },
  };
}

/** The control plane with each flip traced. */
class TracedControlPlane implements ControlPlane {
  constructor(private readonly inner: ControlPlane) {}
  listZones() {
    return this.inner.listZones();
  }
  getZone(zone: string) {
    return this.inner.getZone(zone);
  }
  listViolations(zone: string, query: ViolationQuery) {
    return this.inner.listViolations(zone, query);
  }
  async flip(zone: string, request: FlipRequest, actor: Actor) {
    const trace: FlipTrace = { reason: request.reason, start: wallMs(), sends: [] };
    try {
      return await currentFlip.run(trace, () => this.inner.flip(zone, request, actor));
    } finally {
      trace.end = wallMs();
      say({ benchFlip: trace });
    }
  }
  grantException(zone: string, request: ExceptionRequest, actor: Actor) {
    return this.inner.grantException(zone, request, actor);
  }
  revokeException(id: string, actor: Actor) {
    return this.inner.revokeException(id, actor);
  }
  markFixed(violationId: string, note: string, actor: Actor) {
    return this.inner.markFixed(violationId, note, actor);
  }
  pushPolicy(files: Readonly<Record<string, string>>, actor: Actor) {
    return this.inner.pushPolicy(files, actor);
  }
  whatIf(request: WhatIfRequest) {
    return this.inner.whatIf(request);
  }
  listFlows(query: FlowListQuery) {
    return this.inner.listFlows(query);
  }
  zoneHistory(zone: string, days: number) {
    return this.inner.zoneHistory(zone, days);
  }
  listFlips(zone: string, limit: number) {
    return this.inner.listFlips(zone, limit);
  }
  listAuditRecords(zone: string, limit: number) {
    return this.inner.listAuditRecords(zone, limit);
  }
  listDecisionPoints() {
    return this.inner.listDecisionPoints();
  }
}

async function open(config: ControlChildConfig, logger: Logger): Promise<{ db: Database; name: string; drop: () => Promise<void> }> {
  if (config.databaseUrl !== "") {
    try {
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.pgliteDir, schema: config.schema, logger });
      return {
        db,
        name: `PostgreSQL server (${new URL(config.databaseUrl).host}, fresh schema ${config.schema})`,
        drop: () => db.query(`DROP SCHEMA IF EXISTS "${config.schema}" CASCADE`).then(() => undefined),
      };
    } catch (error) {
      process.stderr.write(`PostgreSQL at ${config.databaseUrl} unusable (${error instanceof Error ? error.message : String(error)}); using PGlite\n`);
    }
  }
  const db = await openDatabase({ dataDir: config.pgliteDir, logger });
  return { db, name: `PGlite (embedded, ${config.pgliteDir})`, drop: () => Promise.resolve() };
}

async function main(): Promise<void> {
  const text = process.argv[2];
  if (text === undefined) throw new Error("usage: control-child '<config json>'");
  const config = JSON.parse(text) as ControlChildConfig;
  const logger = createLogger({ level: "warn", service: "flowzone-bench-control" });
  const kafka = tracedKafka(createKafka({ brokers: config.brokers.split(","), clientId: "flowzone-control", logger }));
  const { db, name, drop } = await open(config, logger);
  const plane = await startControlPlane({ database: tracedDatabase(db), kafka, policyDir: config.policyDir, logger });
  const service = await startControlService({ controlPlane: new TracedControlPlane(plane.controlPlane), host: "127.0.0.1", httpPort: 0, grpcPort: 0, logger });
  say({ benchControl: { httpPort: service.httpPort, database: name } });
  process.stdin.resume();
  process.stdin.on("end", () => {
    void (async () => {
      await service.close(1000);
      await plane.close();
      await drop();
      await db.close();
    })()
      .catch((error: unknown) => {
        process.stderr.write(`stopping: ${String(error)}\n`);
      })
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
