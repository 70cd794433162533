import path from "node:path";

import { parseBrokers } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";

import { startDevStack } from "../dev/dev-stack";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { describeError } from "../describe-error";
import { parseFlags, stringFlag } from "../parse-flags";
import { watchShutdown } from "../shutdown-signal";
import { UsageError } from "../usage-error";

const COMMAND = "dev";

/** The example organisation `npm start` runs. */
export const DEV_DEFAULTS = {
  policyDir: path.join("examples", "bundle"),
  routesFile: path.join("examples", "routes.yaml"),
  homeDir: ".flowzone",
  host: "127.0.0.1",
  pdpPort: 50051,
  controlHttpPort: 8080,
  controlGrpcPort: 50052,
  metricsPort: 9464,
} as const;

export interface DevCommandOptions {
  readonly logger?: Logger;
}

/**
 * `flowzone dev`: everything locally, in one command. Prints where each part listens and a first
 * command to try, then runs until Ctrl-C (or SIGTERM) and stops every part cleanly.
 */
export async function dev(args: readonly string[], io: CliIo, options: DevCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(
    args,
    { policy: { type: "string" }, routes: { type: "string" }, home: { type: "string" }, "pdp-port": { type: "string" }, "http-port": { type: "string" }, "grpc-port": { type: "string" }, "metrics-port": { type: "string" } },
    COMMAND,
  );
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, COMMAND);
  const env = io.env;
  const brokersText = env["FLOWZONE_KAFKA_BROKERS"];
  let brokers: string[] | undefined;
  try {
    brokers = brokersText === undefined || brokersText === "" ? undefined : parseBrokers(brokersText);
  } catch (error) {
    throw new UsageError(describeError(error), COMMAND);
  }
  const port = (flag: string, envName: string, fallback: number): number => {
    const text = stringFlag(flags, flag) ?? env[envName];
    if (text === undefined || text === "") return fallback;
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= 0 && value <= 65535)) throw new UsageError(`--${flag} / ${envName}: "${text}" is not a port (0 picks a free one)`, COMMAND);
    return value;
  };

  const ports = {
    pdpPort: port("pdp-port", "FLOWZONE_PDP_PORT", DEV_DEFAULTS.pdpPort),
    controlHttpPort: port("http-port", "FLOWZONE_CONTROL_PORT", DEV_DEFAULTS.controlHttpPort),
    controlGrpcPort: port("grpc-port", "FLOWZONE_CONTROL_GRPC_PORT", DEV_DEFAULTS.controlGrpcPort),
    metricsPort: port("metrics-port", "FLOWZONE_METRICS_PORT", DEV_DEFAULTS.metricsPort),
  };

  // Logs go to stderr so stdout holds only the summary of where everything listens.
  const logger = options.logger ?? createLogger({ level: env["FLOWZONE_LOG_LEVEL"] ?? "warn", destination: process.stderr });
  const shutdown = watchShutdown(io.shutdown);
  const progress = (line: string): void => {
    io.stderr.write(`flowzone dev: ${line}\n`);
  };
  let stack;
  try {
    stack = await startDevStack({
      policyDir: stringFlag(flags, "policy") ?? env["FLOWZONE_POLICY"] ?? DEV_DEFAULTS.policyDir,
      routesFile: stringFlag(flags, "routes") ?? env["FLOWZONE_ROUTES"] ?? DEV_DEFAULTS.routesFile,
      homeDir: stringFlag(flags, "home") ?? DEV_DEFAULTS.homeDir,
      brokers,
      databaseUrl: env["DATABASE_URL"] === "" ? undefined : env["DATABASE_URL"],
      host: DEV_DEFAULTS.host,
      ...ports,
      tokensFile: env["FLOWZONE_TOKENS"] === "" ? undefined : env["FLOWZONE_TOKENS"],
      logger,
      onProgress: progress,
    });
  } catch (error) {
    shutdown.dispose();
    io.stderr.write(`flowzone dev: cannot start: ${describeError(error)}\n`);
    return ExitCode.failure;
  }

  const controlUrl = `http://${DEV_DEFAULTS.host}:${stack.controlHttpPort}`;
  io.stdout.write(
    [
      "flowzone is running:",
      `  Kafka             ${stack.brokers.join(",")}`,
      `  PostgreSQL        ${stack.database}`,
      `  decision service  ${DEV_DEFAULTS.host}:${stack.pdpPort} (gRPC flowzone.v1.DecisionService)`,
      `  control plane     ${controlUrl} (HTTP)  ${DEV_DEFAULTS.host}:${stack.controlGrpcPort} (gRPC ZoneService)`,
      `  enforcer routes   ${stack.routes.join("; ")}`,
      `  metrics           http://${DEV_DEFAULTS.host}:${stack.metricsPort}/metrics (and ${controlUrl}/metrics)`,
      "",
      "Try:",
      `  FLOWZONE_CONTROL_URL=${controlUrl} npx flowzone zones`,
      "",
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  const reason = await shutdown.requested;
  progress(`stopping (${reason})`);
  await stack.stop();
  progress("stopped");
  return ExitCode.ok;
}
