import { CONTROL_SETTINGS, controlConfig, startControl } from "@flowzone/control-service";

import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { loggerFor } from "../log-settings";
import { flagsOf, parseFlags } from "../parse-flags";
import type { ServiceCommandOptions } from "../serve";
import { serveOnKafka } from "../serve-on-kafka";
import { UsageError } from "../usage-error";

const COMMAND = "control";

/**
 * `flowzone control`: the control plane (backlog, remediation, flips) behind its HTTP API and
 * gRPC ZoneService, until SIGINT/SIGTERM. PostgreSQL from DATABASE_URL or embedded PGlite under
 * the home folder; Kafka from the brokers setting or a local broker.
 */
export async function control(args: readonly string[], io: CliIo, options: ServiceCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(args, CONTROL_SETTINGS, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, COMMAND);
  const sources = { env: io.env, flags: flagsOf(flags) };
  const config = UsageError.fromConfig(COMMAND, () => controlConfig(sources));
  const logger = options.logger ?? UsageError.fromConfig(COMMAND, () => loggerFor(sources, "control", "info"));
  return serveOnKafka(COMMAND, io, logger, config, (brokers) => startControl({ ...config, brokers, logger }));
}
