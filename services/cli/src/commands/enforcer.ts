import { ENFORCER_SETTINGS, enforcerConfig, startEnforcerService } from "@flowzone/enforcer";

import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { loggerFor } from "../log-settings";
import { flagsOf, parseFlags } from "../parse-flags";
import type { ServiceCommandOptions } from "../serve";
import { serveOnKafka } from "../serve-on-kafka";
import { UsageError } from "../usage-error";

const COMMAND = "enforcer";

/**
 * `flowzone enforcer`: runs the stream enforcer until SIGINT/SIGTERM, deciding under the same
 * policy runtime as the decision service (the bundle directory plus the control topic). Without
 * brokers it starts a local broker. A route that stops for good stops the enforcer with exit 1.
 */
export async function enforcer(args: readonly string[], io: CliIo, options: ServiceCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(args, ENFORCER_SETTINGS, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}'`, COMMAND);
  const sources = { env: io.env, flags: flagsOf(flags) };
  const config = UsageError.fromConfig(COMMAND, () => enforcerConfig(sources));
  const logger = options.logger ?? UsageError.fromConfig(COMMAND, () => loggerFor(sources, "enforcer", "info"));
  return serveOnKafka(COMMAND, io, logger, config, (brokers) => startEnforcerService({ ...config, brokers, logger }));
}
