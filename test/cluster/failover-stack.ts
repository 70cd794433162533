/**
 * flowzone scaled out on a three-node Kafka cluster of the test's own (kafka-local's; every topic
 * replicated three times, two replicas in sync required), every part the built `flowzone` command
 * as a process: two control-plane replicas on one PostgreSQL database of the test's own, three
 * decision services and three enforcers in one group on a six-partition source. The parts use the
 * default topic names: the cluster is theirs alone.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Route } from "@flowzone/enforcer";
import { AUDIT_TOPIC, CONTROL_TOPIC, FLOWS_TOPIC } from "@flowzone/kafka";
import { Kafka, logLevel } from "kafkajs";

import { processRoute, testTopics, writeProcessRoutesFile, type TestTopics } from "../enforcer/enforcer-harness";
import { EnforcerProcess } from "../enforcer/enforcer-process";
import { DecisionClient } from "../pdp/pdp-harness";
import { spooledPdp } from "../pdp/pdp-process";
import { createTestDatabase } from "../support/database";
import { decisionServicePort, REPO_ROOT, type TestProcess } from "../support/processes";
import { createTopics } from "../support/topics";
import { ControlReplica } from "./control-replica";
import { BUNDLE_YAML } from "./failover-records";
import { provisionLocalCluster, type LocalCluster } from "../../packages/kafka-local/src/index";

export const SOURCE_PARTITIONS = 6;
const CLUSTER_NODES = 3;
/**
 * How long a killed enforcer keeps its partitions. Longer than the 6 s of the one-broker kill
 * test: nine processes and three brokers on two cores miss heartbeats, and every
 * session that lapses for that alone is a rebalance of the whole group.
 */
const ENFORCER_SESSION_TIMEOUT_MS = 15_000;

export interface DecisionReplica {
  readonly process: TestProcess;
  readonly client: DecisionClient;
}

export interface FailoverStack {
  /** The cluster of the test's own (the parts use the default topic names). */
  readonly cluster: LocalCluster;
  /** The test's own client of the cluster: topics, reads, a group's offsets. */
  readonly kafka: Kafka;
  readonly topics: TestTopics;
  readonly route: Route;
  readonly controls: readonly ControlReplica[];
  readonly pdps: readonly DecisionReplica[];
  readonly enforcers: readonly EnforcerProcess[];
  /** Every part's output, to explain a failure. */
  output(): string;
  /** Kills every part, stops the cluster, drops the database and removes the folders. */
  stop(): Promise<void>;
}

export interface FailoverStackOptions {
  readonly controls: number;
  readonly pdps: number;
  readonly enforcers: number;
}

/** Starts every part in dependency order; whatever started is stopped again if a later part fails. */
export async function startFailoverStack(options: FailoverStackOptions): Promise<FailoverStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const workDir = await mkdtemp(join(tmpdir(), "flowzone-failover-"));
    stops.push(() => rm(workDir, { recursive: true, force: true }));
    const cluster = await provisionLocalCluster({ homeDir: join(REPO_ROOT, ".flowzone", "kafka"), brokers: CLUSTER_NODES });
    stops.push(() => cluster.stop());
    const brokers = cluster.brokers;
    const database = await createTestDatabase("failover");
    stops.push(database.drop);

    const kafka = new Kafka({ clientId: "failover-test", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
    const topics = testTopics("failover");
    await createTopics(kafka, [topics.from], { partitions: SOURCE_PARTITIONS });
    const policyDir = join(workDir, "policy");
    await mkdir(policyDir);
    await writeFile(join(policyDir, "bundle.yaml"), BUNDLE_YAML);
    const routesFile = await writeProcessRoutesFile(topics);
    stops.push(() => rm(join(routesFile, ".."), { recursive: true, force: true }));

    const controls = Array.from({ length: options.controls }, (_, i) => new ControlReplica(`c${i + 1}`, { brokers, databaseUrl: database.url, policyDir, workDir }));
    stops.push(() => Promise.all(controls.map((c) => c.kill())));
    // One after the other: the first creates the store's tables and the topics.
    for (const control of controls) {
      control.start();
      await control.listening();
    }

    const pdps = Array.from({ length: options.pdps }, (_, i) => spooledPdp(`pdp p${i + 1}`, { policyDir, brokers, spoolDir: join(workDir, `spool-p${i + 1}`) }));
    stops.push(() => Promise.all(pdps.map((p) => p.kill())));
    const replicas: DecisionReplica[] = [];
    for (const pdp of pdps) {
      await pdp.waitFor("its 'decision service listening' line", (p) => decisionServicePort(p.stdout) !== undefined, 90_000);
      const client = new DecisionClient(`127.0.0.1:${decisionServicePort(pdp.stdout) ?? 0}`);
      stops.push(() => {
        client.close();
        return Promise.resolve();
      });
      replicas.push({ process: pdp, client });
    }

    const enforcers = Array.from(
      { length: options.enforcers },
      (_, i) => new EnforcerProcess(`e${i + 1}`, { brokers, policyDir, routesFile, auditTopic: AUDIT_TOPIC, controlTopic: CONTROL_TOPIC, flowsTopic: FLOWS_TOPIC, logLevel: "info", sessionTimeoutMs: ENFORCER_SESSION_TIMEOUT_MS }),
    );
    stops.push(() => Promise.all(enforcers.map((e) => e.kill())));
    for (const enforcer of enforcers) enforcer.start();
    for (const enforcer of enforcers) await enforcerStarted(enforcer);

    return {
      cluster,
      kafka,
      topics,
      route: processRoute(topics),
      controls,
      pdps: replicas,
      enforcers,
      output: () => [...controls.map((c) => c.output), ...pdps.map((p) => p.output()), ...enforcers.map((e) => e.output)].join("\n"),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Waits until the enforcer's current run routes (its "enforcer started" line). */
export async function enforcerStarted(enforcer: EnforcerProcess, timeoutMs = 180_000): Promise<void> {
  const run = enforcer.current;
  if (run === undefined) throw new Error(`enforcer ${enforcer.name} was never started`);
  await run.waitForStdout('"enforcer started"', timeoutMs);
}
