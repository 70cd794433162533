import { EnforcerError, enforcerConfig, readRoutesFile, startEnforcer } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import { createLogger, type Logger } from "@flowzone/logging";
import { startPolicyRuntime } from "@flowzone/policy-runtime";

import { kafkaFor } from "../dev/kafka-for";
import { StopList } from "../dev/stop-list";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { describeError } from "../describe-error";
import { parseFlags, stringFlag } from "../parse-flags";
import { watchShutdown } from "../shutdown-signal";
import { UsageError } from "../usage-error";

const COMMAND = "enforcer";
const RELOAD_INTERVAL_MS = 1000;

export interface EnforcerCommandOptions {
  readonly logger?: Logger;
}

/**
 * `flowzone enforcer [--routes FILE] [--policy DIR] [--brokers LIST]`: runs the stream enforcer
 * until SIGINT/SIGTERM. It decides under the same policy runtime as the decision service (the
 * bundle directory plus the control topic). Without brokers it starts a local broker, as the
 * contract's development default says.
 */
export async function enforcer(args: readonly string[], io: CliIo, options: EnforcerCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(args, { routes: { type: "string" }, policy: { type: "string" }, brokers: { type: "string" }, "metrics-port": { type: "string" } }, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, COMMAND);
  let config;
  try {
    config = enforcerConfig(io.env, { routes: stringFlag(flags, "routes"), policy: stringFlag(flags, "policy"), brokers: stringFlag(flags, "brokers"), metricsPort: stringFlag(flags, "metrics-port") });
  } catch (error) {
    if (error instanceof EnforcerError) throw new UsageError(error.message, COMMAND);
    throw error;
  }
  const logger = options.logger ?? createLogger({ service: "enforcer" });
  const shutdown = watchShutdown(io.shutdown);
  const stops = new StopList();
  try {
    const routes = await readRoutesFile(config.routesFile);
    const endpoint = await kafkaFor(config.brokers, ".flowzone", (line) => io.stderr.write(`flowzone enforcer: ${line}\n`));
    if (endpoint.local !== undefined) {
      const local = endpoint.local;
      stops.add(() => local.stop());
    }
    const kafka = createKafka({ brokers: endpoint.brokers, clientId: "flowzone-enforcer", logger });
    const runtime = await startPolicyRuntime({ policyDir: config.policyDir, reloadIntervalMs: RELOAD_INTERVAL_MS, logger, kafka });
    stops.add(() => runtime.close());
    const running = await startEnforcer({
      kafka,
      routes,
      policy: runtime.holder,
      logger,
      metricsPort: config.metricsPort,
      ...(config.auditTopic === undefined ? {} : { auditTopic: config.auditTopic }),
      ...(config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: config.sessionTimeoutMs }),
    });
    stops.add(() => running.close());
  } catch (error) {
    shutdown.dispose();
    await stops.stopAll();
    io.stderr.write(`flowzone enforcer: cannot start: ${describeError(error)}\n`);
    return ExitCode.failure;
  }
  await shutdown.requested;
  await stops.stopAll();
  return ExitCode.ok;
}
