import path from "node:path";

import { awaitBrokerCount } from "./cluster-membership";
import { freePorts } from "./free-port";
import { startKafkaNode, type KafkaNodeOptions, type KafkaNodeProcess } from "./kafka-node";
import { newClusterId } from "./local-broker";

/** Heap of each node: three nodes side by side on a small machine, each lightly loaded. */
const NODE_HEAP_MB = 384;
const START_TIMEOUT_MS = 120_000;

/** Options for {@link startLocalCluster}. */
export interface LocalClusterOptions {
  /** Folder of the nodes' jars, from `ensureKafkaJars`. */
  readonly libsDir: string;
  /** Folder for the nodes' folders (`node-<id>`): configuration, data and log. */
  readonly workDir: string;
  /** How many nodes, each broker and controller; all of them vote in the quorum. */
  readonly brokers: number;
}

/** A running local cluster. */
export interface LocalCluster {
  /** Every node's address, comma-separated: `127.0.0.1:p1,127.0.0.1:p2,…` (FLOWZONE_KAFKA_BROKERS). */
  readonly brokers: string;
  readonly nodes: readonly ClusterNode[];
  /** Stops every node (gracefully); `provisionLocalCluster`'s also removes their data. */
  stop(): Promise<void>;
}

/** One node of a {@link LocalCluster}, for fault tests. */
export interface ClusterNode {
  readonly nodeId: number;
  /** `127.0.0.1:port`; the same across restarts. */
  readonly address: string;
  readonly running: boolean;
  /** The JVM's process id while it runs: what a caller kills synchronously when its own process exits. */
  readonly pid: number | undefined;
  /** The node's log (appended to across restarts). */
  readonly logFile: string;
  /** Graceful (SIGTERM, SIGKILL after a grace period); resolves when the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when it serves and the cluster lists every broker again. */
  start(): Promise<void>;
}

/**
 * Starts `brokers` KRaft nodes on loopback, each broker and controller, with a static quorum of
 * all of them and one cluster id, side by side (no node can finish starting before a quorum
 * does). Resolves when every node serves and the cluster lists all its brokers. If any node fails
 * to start, the others are stopped and the error is thrown.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const count = options.brokers;
  if (!Number.isInteger(count) || count < 1) throw new Error(`a local Kafka cluster needs a whole number of brokers, at least 1; got ${count}`);
  const ports = await freePorts(2 * count);
  const ids = Array.from({ length: count }, (_, index) => index + 1);
  const voters = ids.map((id) => `${id}@127.0.0.1:${ports[count + id - 1]}`).join(",");
  const clusterId = newClusterId();
  const nodeOptions = (id: number): KafkaNodeOptions => ({
    libsDir: options.libsDir,
    workDir: path.join(options.workDir, `node-${id}`),
    nodeId: id,
    brokerPort: ports[id - 1] ?? 0,
    controllerPort: ports[count + id - 1] ?? 0,
    voters,
    clusterSize: count,
    clusterId,
    heapMb: NODE_HEAP_MB,
    startTimeoutMs: START_TIMEOUT_MS,
  });
  const nodes = ids.map((id) => clusterNode(nodeOptions(id), count));
  const started = await Promise.allSettled(nodes.map((node) => node.start()));
  const failed = started.find((result) => result.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw failed.reason;
  }
  return {
    brokers: nodes.map((node) => node.address).join(","),
    nodes,
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}

/** A node that is not running until {@link ClusterNode.start}, and can be started again after it stops. */
function clusterNode(options: KafkaNodeOptions, clusterSize: number): ClusterNode {
  const address = `127.0.0.1:${options.brokerPort}`;
  let current: KafkaNodeProcess | undefined;
  return {
    nodeId: options.nodeId,
    address,
    logFile: path.join(options.workDir, "broker.log"),
    get running() {
      return current?.running ?? false;
    },
    get pid() {
      return current?.running === true ? current.pid : undefined;
    },
    async stop() {
      await current?.stop();
    },
    async kill() {
      await current?.kill();
    },
    async start() {
      if (current?.running === true) throw new Error(`node ${options.nodeId} (${address}) is already running`);
      current = await startKafkaNode(options);
      await awaitBrokerCount(address, clusterSize, START_TIMEOUT_MS);
    },
  };
}
