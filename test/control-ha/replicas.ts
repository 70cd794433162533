/**
 * Control-plane replicas for the HA tests: several `startControlPlane` on one store (a schema of
 * the test PostgreSQL server, each replica with its own pool and its own leader lock session),
 * the same topics and a clock the test moves by hand.
 */
import { rm } from "node:fs/promises";

import { openDatabase, startControlPlane, type Database, type RunningControlPlane } from "@flowzone/control";
import type { Kafka } from "kafkajs";

import { bundleDir, controlTopicNames, ManualClock } from "../control-core/control-support";
import { TEST_DATABASE_URL, uniqueSchema } from "../support/database";
import { testKafka } from "../support/kafka";
import { collectingLogger, type LogLine } from "../support/logger";

/** How often replicas poll the lock and tick in these tests: fast, so failovers take a second or so. */
const LEADER_POLL_MS = 200;
const TICK_MS = 200;

/** One replica: its control plane, its own store handle and what it logged. */
export interface Replica {
  readonly id: string;
  readonly running: RunningControlPlane;
  readonly db: Database;
  readonly lines: LogLine[];
  /** Closes the control plane and its store handle (once). */
  close(): Promise<void>;
}

/** The replicas' shared world. */
export interface ReplicaSet {
  readonly kafka: Kafka;
  readonly schema: string;
  /** A handle on the store of the test's own, to look at it and at the server. */
  readonly admin: Database;
  readonly clock: ManualClock;
  readonly auditTopic: string;
  readonly controlTopic: string;
  /** Starts a replica named `id` on the shared store and topics; resolves once it leads or follows. */
  start(id: string): Promise<Replica>;
  /** Closes every replica still open, drops the schema and the policy directory. */
  dispose(): Promise<void>;
}

export async function replicaSet(): Promise<ReplicaSet> {
  const kafka = testKafka("control-ha-test");
  const schema = uniqueSchema("control_ha");
  const admin = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "unused", schema, logger: collectingLogger().logger });
  const policyDir = await bundleDir();
  const clock = new ManualClock();
  const { auditTopic, controlTopic, flowsTopic, groupId } = controlTopicNames();
  const open: Replica[] = [];
  return {
    kafka,
    schema,
    admin,
    clock,
    auditTopic,
    controlTopic,
    async start(id) {
      const { logger, lines } = collectingLogger();
      const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: "unused", schema, logger });
      let running: RunningControlPlane;
      try {
        running = await startControlPlane({
          database: db,
          kafka,
          policyDir,
          logger,
          clock,
          tickMs: TICK_MS,
          leaderPollMs: LEADER_POLL_MS,
          replicaId: id,
          auditTopic,
          controlTopic,
          flowsTopic,
          groupId,
          auditPartitions: 1,
        });
      } catch (error) {
        await db.close();
        throw error;
      }
      let closing: Promise<void> | undefined;
      const replica: Replica = {
        id,
        running,
        db,
        lines,
        close: () => {
          closing ??= running.close().finally(() => db.close());
          return closing;
        },
      };
      open.push(replica);
      return replica;
    },
    async dispose() {
      for (const replica of open) await replica.close().catch(() => undefined);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.close();
      await rm(policyDir, { recursive: true, force: true });
    },
  };
}

/** The server process holding `schema`'s leader lock now, or undefined while none does. */
export async function leaderLockHolder(set: ReplicaSet): Promise<number | undefined> {
  const rows = await set.admin.query<{ pid: number }>(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 1718382455::oid AND objid = hashtext($1)::oid AND objsubid = 2",
    [set.schema],
  );
  return rows[0]?.pid;
}
