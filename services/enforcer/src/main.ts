#!/usr/bin/env node
// The enforcer as a process of its own (tests run it as a child; `flowzone enforcer` wraps the same calls).
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import { enforcerConfig, readRoutesFile } from "./config";
import { startEnforcer } from "./enforcer";

async function main(): Promise<void> {
  const logger = createLogger({ service: "enforcer", level: process.env["FLOWZONE_LOG_LEVEL"] ?? "info" });
  const config = enforcerConfig(process.env);
  if (config.brokers === undefined) throw new Error("FLOWZONE_KAFKA_BROKERS is not set; the standalone enforcer needs a broker (use `flowzone dev` for a local one)");
  const routes = await readRoutesFile(config.routesFile);
  const kafka = createKafka({ brokers: config.brokers, clientId: "flowzone-enforcer", logger });
  const enforcer = await startEnforcer({
    kafka,
    routes,
    policyDir: config.policyDir,
    logger,
    metricsPort: config.metricsPort,
    ...(config.auditTopic === undefined ? {} : { auditTopic: config.auditTopic }),
    ...(config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: config.sessionTimeoutMs }),
    onFatal: (error) => {
      logger.fatal({ err: error }, "a route stopped for good; exiting so a supervisor restarts the enforcer");
      process.exit(1);
    },
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  logger.info({ signal }, "stopping");
  await enforcer.close();
}

main().then(
  () => {
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`flowzone enforcer: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
