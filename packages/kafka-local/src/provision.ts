import { mkdtemp, mkdir, rm } from "node:fs/promises";
import path from "node:path";

import { ensureKafkaJars } from "./kafka-jars";
import { startLocalBroker, type LocalBroker } from "./local-broker";
import { startLocalCluster, type LocalCluster } from "./local-cluster";
import { startSecuredBroker, type SecuredBroker } from "./secured-broker";

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
export function provisionLocalBroker(options: ProvisionOptions): Promise<LocalBroker> {
  return provisioned(options, "starting the local Kafka broker", (libsDir, workDir) =>
    startLocalBroker({ libsDir, workDir, ...(options.brokerPort === undefined ? {} : { brokerPort: options.brokerPort }) }),
  );
}

/**
 * {@link provisionLocalBroker} for a cluster of `brokers` nodes (`startLocalCluster`), each
 * broker and controller, on free ports; its nodes' folders are under one run folder in
 * `homeDir/runs`, which stopping the cluster removes. A fixed `brokerPort` is for a single broker
 * and refused here.
 */
export async function provisionLocalCluster(options: ProvisionOptions & { readonly brokers: number }): Promise<LocalCluster> {
  if (options.brokerPort !== undefined && options.brokerPort !== 0) throw new Error("a local Kafka cluster takes free ports: brokerPort is for a single broker");
  return provisioned(options, `starting a local Kafka cluster of ${options.brokers} brokers`, (libsDir, workDir) => startLocalCluster({ libsDir, workDir, brokers: options.brokers }));
}

/**
 * {@link provisionLocalBroker} for the secured broker (`startSecuredBroker`): its certificates,
 * passwords and client properties files live in the run's folder and go with it.
 */
export function provisionSecuredBroker(options: Omit<ProvisionOptions, "brokerPort">): Promise<SecuredBroker> {
  return provisioned(options, "starting the secured local Kafka broker (SASL_SSL, SCRAM, ACLs)", (libsDir, workDir) => startSecuredBroker({ libsDir, workDir }));
}

async function provisioned<B extends { stop(): Promise<void> }>(options: ProvisionOptions, what: string, start: (libsDir: string, workDir: string) => Promise<B>): Promise<B> {
  const libsDir = await ensureKafkaJars({ cacheDir: options.homeDir, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const runsDir = path.resolve(options.homeDir, "runs");
  await mkdir(runsDir, { recursive: true });
  const workDir = await mkdtemp(path.join(runsDir, "broker-"));
  options.onProgress?.(what);
  let broker: B;
  try {
    broker = await start(libsDir, workDir);
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...broker,
    async stop() {
      await broker.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
