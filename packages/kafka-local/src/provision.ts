import { mkdtemp, mkdir, rm } from "node:fs/promises";
import path from "node:path";

import { ensureKafkaJars } from "./kafka-jars";
import { startLocalBroker, type LocalBroker } from "./local-broker";

/** Options for {@link provisionLocalBroker}. */
export interface ProvisionOptions {
  /** Folder for cached jars and per-run broker folders, e.g. `<repo>/.flowzone/kafka`. */
  readonly homeDir: string;
  readonly brokerPort?: number;
  readonly onProgress?: (line: string) => void;
}

/**
 * Resolves the jars (cached) and starts a fresh broker in its own folder under `homeDir/runs`;
 * stopping it removes that folder, so runs leave nothing behind but the jar cache.
 */
export async function provisionLocalBroker(options: ProvisionOptions): Promise<LocalBroker> {
  const libsDir = await ensureKafkaJars({ cacheDir: options.homeDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const runsDir = path.resolve(options.homeDir, "runs");
  await mkdir(runsDir, { recursive: true });
  const workDir = await mkdtemp(path.join(runsDir, "broker-"));
  options.onProgress?.("starting the local Kafka broker");
  const broker = await startLocalBroker({ libsDir, workDir, ...(options.brokerPort === undefined ? {} : { brokerPort: options.brokerPort }) });
  return {
    ...broker,
    async stop() {
      await broker.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
