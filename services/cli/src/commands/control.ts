import path from "node:path";

import { openDatabase, startControlPlane } from "@flowzone/control";
import { ConfigError, controlServiceConfig, startControlService } from "@flowzone/control-service";
import { createKafka, parseBrokers } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";

import { kafkaFor } from "../dev/kafka-for";
import { StopList } from "../dev/stop-list";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { describeError } from "../describe-error";
import { parseFlags, stringFlag } from "../parse-flags";
import { watchShutdown } from "../shutdown-signal";
import { UsageError } from "../usage-error";

const COMMAND = "control";
const HOME_DIR = ".flowzone";
const CLOSE_GRACE_MS = 10_000;

export interface ControlCommandOptions {
  readonly logger?: Logger;
}

/**
 * `flowzone control [--policy DIR] [--host H] [--http-port N] [--grpc-port N] [--tokens FILE]`:
 * the control plane (backlog, remediation, flips) behind its HTTP API and gRPC ZoneService,
 * until SIGINT/SIGTERM. PostgreSQL from DATABASE_URL or embedded PGlite under .flowzone/;
 * Kafka from FLOWZONE_KAFKA_BROKERS or a local broker.
 */
export async function control(args: readonly string[], io: CliIo, options: ControlCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(
    args,
    { policy: { type: "string" }, host: { type: "string" }, "http-port": { type: "string" }, "grpc-port": { type: "string" }, tokens: { type: "string" } },
    COMMAND,
  );
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, COMMAND);
  let config;
  let brokers: string[] | undefined;
  try {
    config = controlServiceConfig(io.env, {
      host: stringFlag(flags, "host"),
      httpPort: stringFlag(flags, "http-port"),
      grpcPort: stringFlag(flags, "grpc-port"),
      tokens: stringFlag(flags, "tokens"),
    });
    const text = io.env["FLOWZONE_KAFKA_BROKERS"];
    brokers = text === undefined || text === "" ? undefined : parseBrokers(text);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) throw new UsageError(error.message, COMMAND);
    throw error;
  }
  const policyDir = stringFlag(flags, "policy") ?? io.env["FLOWZONE_POLICY"];
  const logger = options.logger ?? createLogger({ service: "control" });
  const shutdown = watchShutdown(io.shutdown);
  const stops = new StopList();
  try {
    const endpoint = await kafkaFor(brokers, HOME_DIR, (line) => io.stderr.write(`flowzone control: ${line}\n`));
    if (endpoint.local !== undefined) {
      const local = endpoint.local;
      stops.add(() => local.stop());
    }
    const kafka = createKafka({ brokers: endpoint.brokers, clientId: "flowzone-control", logger });
    const databaseUrl = io.env["DATABASE_URL"];
    const database = await openDatabase({ databaseUrl: databaseUrl === "" ? undefined : databaseUrl, dataDir: path.join(HOME_DIR, "pglite") });
    stops.add(() => database.close());
    const plane = await startControlPlane({ database, kafka, policyDir, logger });
    stops.add(() => plane.close());
    const service = await startControlService({ ...config, controlPlane: plane.controlPlane, logger });
    stops.add(() => service.close(CLOSE_GRACE_MS));
  } catch (error) {
    shutdown.dispose();
    await stops.stopAll();
    io.stderr.write(`flowzone control: cannot start: ${describeError(error)}\n`);
    return ExitCode.failure;
  }
  await shutdown.requested;
  await stops.stopAll();
  return ExitCode.ok;
}
