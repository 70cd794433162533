import { randomUUID } from "node:crypto";

import { freePort } from "./free-port";
import { startKafkaNode, type BrokerSecurity } from "./kafka-node";

export type { BrokerSecurity } from "./kafka-node";

/** Options for {@link startLocalBroker}. */
export interface LocalBrokerOptions {
  /** Folder of the broker's jars, from `ensureKafkaJars`. */
  readonly libsDir: string;
  /** Folder for this broker's data and log (created; a fresh one per run). */
  readonly workDir: string;
  /** Fixed broker port; 0 or unset picks a free one. Restarting on the same folder needs the same ports. */
  readonly brokerPort?: number;
  /** Fixed controller port; 0 or unset picks a free one. */
  readonly controllerPort?: number;
  readonly heapMb?: number;
  readonly startTimeoutMs?: number;
  /**
   * Listener, TLS, SASL and authorizer settings over the plaintext defaults, and what storage
   * formatting adds (SCRAM users); `startSecuredBroker` gives them. Unset, a plaintext broker.
   */
  readonly security?: BrokerSecurity;
}

/** A running single-node broker. */
export interface LocalBroker {
  /** `host:port` for Kafka clients. */
  readonly brokers: string;
  readonly brokerPort: number;
  readonly controllerPort: number;
  readonly pid: number;
  /** The broker's own log (stdout and stderr). */
  readonly logFile: string;
  /** Stops the broker (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Kills the broker at once, as a crash would (for fault tests). */
  kill(): Promise<void>;
}

/**
 * Formats storage and starts a single-node KRaft broker on loopback (node 1, a quorum of
 * itself), resolving once it logs that it serves clients. The JVM's output goes to
 * `<workDir>/broker.log`.
 */
export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const brokerPort = options.brokerPort !== undefined && options.brokerPort !== 0 ? options.brokerPort : await freePort();
  const controllerPort = options.controllerPort !== undefined && options.controllerPort !== 0 ? options.controllerPort : await freePort();
  const node = await startKafkaNode({
    libsDir: options.libsDir,
    workDir: options.workDir,
    nodeId: 1,
    brokerPort,
    controllerPort,
    voters: `1@127.0.0.1:${controllerPort}`,
    clusterSize: 1,
    clusterId: newClusterId(),
    ...(options.heapMb === undefined ? {} : { heapMb: options.heapMb }),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    ...(options.security === undefined ? {} : { security: options.security }),
  });
  return {
    brokers: `127.0.0.1:${brokerPort}`,
    brokerPort,
    controllerPort,
    pid: node.pid,
    logFile: node.logFile,
    stop: () => node.stop(),
    kill: () => node.kill(),
  };
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (22 characters). One that
 * starts with "-" would be read as an option by the storage tool, so those are drawn again.
 */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll("-", ""), "hex").toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
