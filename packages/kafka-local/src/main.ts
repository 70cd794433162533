#!/usr/bin/env node
/**
 * `flowzone-kafka-local start|provision [--home DIR] [--port N] [--brokers N]`: runs a broker or a
 * cluster in the foreground until Ctrl-C, or only downloads the jars. For humans and scripts;
 * tests use the library directly.
 */
import path from "node:path";
import { parseArgs } from "node:util";

import { ensureKafkaJars } from "./kafka-jars";
import { DEFAULT_KAFKA_VERSION, KAFKA_VERSION_SETTING } from "./kafka-version";
import { provisionLocalBroker, provisionLocalCluster } from "./provision";

/** The most nodes `--brokers` starts: each is a JVM of its own on this machine. */
const MAX_BROKERS = 9;

const USAGE = `usage: flowzone-kafka-local <start|provision> [--home DIR] [--port N] [--brokers N]

  start      resolve the jars if needed, start a KRaft broker (or a cluster with --brokers),
             print FLOWZONE_KAFKA_BROKERS=<its addresses>, and stop it on Ctrl-C
  provision  only resolve and cache the jars

  --home DIR   cache and data folder (default .flowzone/kafka)
  --port N     broker port of a single broker (default: a free port)
  --brokers N  how many nodes, 1 to ${MAX_BROKERS} (default 1); more than one is a cluster, every node
               broker and controller, on free loopback ports, its topics replicated
               min(3, N) times

  ${KAFKA_VERSION_SETTING}  the Kafka version to run (default ${DEFAULT_KAFKA_VERSION}; 3.9.x works too)
`;

/** A usage error: what is wrong, then the usage. */
function usage(message: string): number {
  process.stderr.write(`${message}\n${USAGE}`);
  return 2;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { home: { type: "string" }, port: { type: "string" }, brokers: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const homeDir = path.resolve(values.home ?? path.join(".flowzone", "kafka"));
  const onProgress = (line: string): void => {
    process.stderr.write(`kafka-local: ${line}\n`);
  };
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? "0") || port > 65535) return usage(`--port must be a port number, got "${values.port ?? ""}"`);
  const brokers = Number(values.brokers ?? "1");
  if (!/^\d+$/.test(values.brokers ?? "1") || brokers < 1 || brokers > MAX_BROKERS) return usage(`--brokers must be a whole number from 1 to ${MAX_BROKERS}, got "${values.brokers ?? ""}"`);
  if (brokers > 1 && port !== 0) return usage("--port fixes a single broker's port; a cluster (--brokers > 1) takes free ports");
  switch (positionals[0]) {
    case "provision":
      await ensureKafkaJars({ cacheDir: homeDir, onProgress });
      return 0;
    case "start": {
      const broker = brokers === 1 ? await provisionLocalBroker({ homeDir, brokerPort: port, onProgress }) : await provisionLocalCluster({ homeDir, brokers, onProgress });
      process.stdout.write(`FLOWZONE_KAFKA_BROKERS=${broker.brokers}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      onProgress("stopping");
      await broker.stop();
      return 0;
    }
    default:
      return usage(positionals[0] === undefined ? "missing command" : `unknown command "${positionals[0]}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kafka-local: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
