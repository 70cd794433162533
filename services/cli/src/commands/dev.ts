import { configuredBrokers } from "@flowzone/kafka";
import { readSettings, serverTlsOf } from "@flowzone/service-kit";

import { DEV_SETTINGS } from "../dev/dev-settings";
import { startDevStack, type DevStack } from "../dev/dev-stack";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { loggerFor } from "../log-settings";
import { booleanFlag, flagsOf, parseFlags } from "../parse-flags";
import { serve } from "../serve";
import { UsageError } from "../usage-error";

const COMMAND = "dev";
const HOST = "127.0.0.1";


/**
 * `flowzone dev`: everything locally, in one command. Prints where each part listens and a first
 * command to try, then runs until Ctrl-C (or SIGTERM) and stops every part cleanly; a part that
 * fails for good stops everything with exit 1.
 */
export async function dev(args: readonly string[], io: CliIo): Promise<ExitCode> {
  const flags = parseFlags(args, { ...DEV_SETTINGS, secure: { type: "boolean" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, COMMAND);
  const sources = { env: io.env, flags: flagsOf(flags) };
  const { tlsCert, tlsKey, tlsClientCa, ...settings } = UsageError.fromConfig(COMMAND, () => readSettings(DEV_SETTINGS, sources));
  const tls = UsageError.fromConfig(COMMAND, () => serverTlsOf({ tlsCert, tlsKey, tlsClientCa }));
  const secure = booleanFlag(flags, "secure");
  const config = { ...settings, tls, brokers: configuredBrokers(settings.brokers, settings.kafkaConfig), secure };
  if (secure && (config.brokers !== undefined || config.kafkaConfig !== undefined)) {
    throw new UsageError("--secure starts a secured broker of its own; give neither brokers (--brokers, FLOWZONE_KAFKA_BROKERS) nor FLOWZONE_KAFKA_CONFIG with it", COMMAND);
  }
  // Logs go to stderr so stdout holds only the summary of where everything listens.
  const logger = UsageError.fromConfig(COMMAND, () => loggerFor(sources, "flowzone", "warn", process.stderr));
  const progress = (line: string): void => {
    io.stderr.write(`flowzone dev: ${line}\n`);
  };
  return serve(COMMAND, io, progress, () => startDevStack({ ...config, host: HOST, logger, onProgress: progress }), (stack) => {
    io.stdout.write(banner(stack));
  });
}

function banner(stack: DevStack): string {
  const scheme = stack.tls ? "https" : "http";
  const controlUrl = `${scheme}://${HOST}:${stack.controlHttpPort}`;
  return [
    "flowzone is running:",
    `  Kafka             ${stack.brokers.join(",")}${stack.clientProperties === undefined ? "" : " (SASL_SSL, SCRAM-SHA-256, ACLs)"}`,
    ...securedLines(stack),
    `  PostgreSQL        ${stack.database}`,
    `  decision service  ${HOST}:${stack.pdpPort} (gRPC flowzone.v1.DecisionService)`,
    `  control plane     ${controlUrl} (HTTP)  ${HOST}:${stack.controlGrpcPort} (gRPC ZoneService)`,
    `  privacy console   ${controlUrl}/ui/ (open it in a browser)`,
    `  enforcer routes   ${stack.routes.join("; ")}`,
    `  metrics           ${scheme}://${HOST}:${stack.metricsPort}/metrics (and ${controlUrl}/metrics)`,
    "",
    "Try:",
    `  FLOWZONE_CONTROL_URL=${controlUrl}${stack.tls ? " FLOWZONE_TLS_CA=<the CA of FLOWZONE_TLS_CERT>" : ""} npx flowzone zones`,
    "",
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}

/** With --secure: the client properties files to give producers, kcat and operators. */
function securedLines(stack: DevStack): string[] {
  if (stack.clientProperties === undefined) return [];
  return [
    `  Kafka clients     FLOWZONE_KAFKA_CONFIG=${stack.clientProperties.producer} (producer principal; kcat -F takes the same file)`,
    `  Kafka admin       ${stack.clientProperties.admin} (super user)`,
  ];
}
