import { rmSync } from "node:fs";
import { dirname, join } from "node:path";

import { provisionLocalBroker, provisionLocalCluster } from "@flowzone/kafka-local";

import { onExit } from "./children";
import { CLUSTER_BROKERS } from "./flags";

/** The Kafka a benchmark runs on: one local broker, or the three nodes of its cluster mode. */
export interface BenchKafka {
  /** Comma-separated `host:port` of every node. */
  readonly brokers: string;
  /** For the report's machine lines. */
  readonly description: string;
  stop(): Promise<void>;
}

/** Kills the JVMs and removes their run folder, synchronously: the last thing a benchmark does on Ctrl-C or a crash. */
function killOnExit(pids: () => readonly (number | undefined)[], runDir: string): void {
  onExit(() => {
    for (const pid of pids()) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(runDir, { recursive: true, force: true });
  });
}

/**
 * Starts the local Kafka for a benchmark (jars cached under `<repo>/.flowzone/kafka`): one broker,
 * or with `cluster` a fresh KRaft cluster of {@link CLUSTER_BROKERS} nodes, on which flowzone
 * creates its topics with three replicas, two in sync. Makes sure no JVM outlives the benchmark:
 * on Ctrl-C or a crash every node is killed and its folder removed. The caller still stops it
 * with `stop()` on the normal path.
 */
export async function startBenchBroker(repoRoot: string, progress: (line: string) => void, { cluster = false } = {}): Promise<BenchKafka> {
  const options = {
    homeDir: join(repoRoot, ".flowzone", "kafka"),
    onProgress: (line: string) => {
      progress(`kafka-local: ${line}`);
    },
  };
  if (!cluster) {
    progress("starting the local Kafka broker");
    const broker = await provisionLocalBroker(options);
    killOnExit(() => [broker.pid], dirname(broker.logFile));
    progress(`broker ready at ${broker.brokers} (pid ${broker.pid})`);
    return { brokers: broker.brokers, description: "the local single-node KRaft broker of @flowzone/kafka-local", stop: () => broker.stop() };
  }
  const local = await provisionLocalCluster({ ...options, brokers: CLUSTER_BROKERS });
  const first = local.nodes[0];
  if (first === undefined) throw new Error("the local cluster has no nodes");
  // Node folders are <run folder>/node-<id>/broker.log.
  killOnExit(() => local.nodes.map((node) => node.pid), dirname(dirname(first.logFile)));
  progress(`cluster ready at ${local.brokers} (pids ${local.nodes.map((node) => node.pid ?? "?").join(", ")})`);
  return {
    brokers: local.brokers,
    description: `a fresh local KRaft cluster of ${CLUSTER_BROKERS} nodes (@flowzone/kafka-local, each broker and controller, loopback), flowzone's topics with 3 replicas and min.insync.replicas 2`,
    stop: () => local.stop(),
  };
}
