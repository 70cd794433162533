#!/usr/bin/env node
/**
 * `flowzone-kafka-local start|provision [--home DIR] [--port N]`: runs a single-node broker in
 * the foreground until Ctrl-C, or only downloads its jars. For humans and scripts; tests use
 * the library directly.
 */
import path from "node:path";
import { parseArgs } from "node:util";

import { ensureKafkaJars } from "./kafka-jars";
import { provisionLocalBroker } from "./provision";

const USAGE = `usage: flowzone-kafka-local <start|provision> [--home DIR] [--port N]

  start      resolve the jars if needed, start a single-node KRaft broker, print its address,
             and stop it on Ctrl-C
  provision  only resolve and cache the jars

  --home DIR  cache and data folder (default .flowzone/kafka)
  --port N    broker port (default: a free port)
`;

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { home: { type: "string" }, port: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
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
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, got "${values.port ?? ""}"\n`);
    return 2;
  }
  switch (positionals[0]) {
    case "provision":
      await ensureKafkaJars({ cacheDir: homeDir, onProgress });
      return 0;
    case "start": {
      const broker = await provisionLocalBroker({ homeDir, brokerPort: port, onProgress });
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
      process.stderr.write(`${positionals[0] === undefined ? "missing command" : `unknown command "${positionals[0]}"`}\n${USAGE}`);
      return 2;
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
