/**
 * A broker of a test's own, for fault tests that stop, kill or restart it: the shared broker
 * from globalSetup serves other test files at the same time and must never be disturbed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { ensureKafkaJars, startLocalBroker, type LocalBroker } from "../../packages/kafka-local/src/index";

export interface OwnBroker {
  /** `host:port`; stays the same across restarts. */
  readonly brokers: string;
  /** Stops gracefully (SIGTERM). */
  stop(): Promise<void>;
  /** Kills at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts again on the same ports and data after stop() or kill(). */
  start(): Promise<void>;
  /** Stops and removes the broker's data. */
  dispose(): Promise<void>;
}

export async function startOwnBroker(): Promise<OwnBroker> {
  const libsDir = await ensureKafkaJars({ cacheDir: path.join(__dirname, "..", "..", ".flowzone", "kafka") });
  const workDir = await mkdtemp(path.join(os.tmpdir(), "flowzone-own-broker-"));
  let broker: LocalBroker = await startLocalBroker({ libsDir, workDir });
  const { brokerPort, controllerPort } = broker;
  return {
    brokers: broker.brokers,
    stop: () => broker.stop(),
    kill: () => broker.kill(),
    async start() {
      broker = await startLocalBroker({ libsDir, workDir, brokerPort, controllerPort });
    },
    async dispose() {
      await broker.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
