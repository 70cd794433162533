import { ENFORCER_SETTINGS, enforcerConfig, startEnforcerService } from "@flowzone/enforcer";
import { StopList } from "@flowzone/service-kit";

import { kafkaFor } from "../dev/kafka-for";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { loggerFor } from "../log-settings";
import { flagsOf, parseFlags } from "../parse-flags";
import { serve, type ServiceCommandOptions } from "../serve";
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
  return serve(COMMAND, io, (line) => { logger.info(line); }, () => {
    const stops = new StopList((error) => {
      logger.warn({ err: error }, "a part did not stop cleanly");
    });
    return stops.starting(async () => {
      const brokers = await kafkaFor(stops, config.brokers, config.home, (line) => io.stderr.write(`flowzone enforcer: ${line}\n`));
      const service = await startEnforcerService({ ...config, brokers, logger });
      stops.add(() => service.stop());
      return { failed: service.failed, stop: () => stops.stopAll() };
    });
  });
}
