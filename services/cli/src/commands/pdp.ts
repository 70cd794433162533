import * as path from "node:path";

import { DECISION_SERVICE_SETTINGS, decisionServiceConfig, PolicyLoadError, startDecisionService } from "@flowzone/pdp";
import { fatalSignal } from "@flowzone/service-kit";

import { describeError } from "../describe-error";
import { helpText } from "../help-texts";
import { ExitCode, type CliIo } from "../io";
import { loggerFor } from "../log-settings";
import { flagsOf, parseFlags } from "../parse-flags";
import { serve, type ServiceCommandOptions } from "../serve";
import { UsageError } from "../usage-error";

const COMMAND = "pdp";

/** How long calls in flight may take to finish after SIGINT/SIGTERM before they are cut off. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `flowzone pdp`: runs the decision service until SIGINT/SIGTERM (or `io.shutdown`), then drains
 * calls in flight and exits 0. A bad flag or environment value is a usage error (2); a service
 * that cannot start (bad bundle, port taken) exits 1.
 */
export async function pdp(args: readonly string[], io: CliIo, options: ServiceCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(args, DECISION_SERVICE_SETTINGS, COMMAND);
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}': the bundle is given with --policy DIR`, COMMAND);
  }
  const sources = { env: io.env, flags: flagsOf(flags) };
  const config = UsageError.fromConfig(COMMAND, () => decisionServiceConfig(sources));
  const logger = options.logger ?? UsageError.fromConfig(COMMAND, () => loggerFor(sources, "pdp", "info"));
  return serve(COMMAND, io, (line) => { logger.info(line); }, async () => {
    const service = await startDecisionService({ ...config, logger }).catch((error: unknown) => {
      throw new Error(startError(error), { cause: error });
    });
    // The decision service has no failure of its own that ends it: it answers while it runs.
    return { failed: fatalSignal().failed, stop: () => service.close(SHUTDOWN_GRACE_MS) };
  });
}

/** Why the service did not start; bundle errors name `DIR/file:line` like `policy check` does. */
function startError(error: unknown): string {
  if (!(error instanceof PolicyLoadError)) return describeError(error);
  const dir = error.policyDir.replace(/[\\/]+$/, "");
  const n = error.errors.length;
  return [`invalid policy bundle (${n} ${n === 1 ? "error" : "errors"}):`, ...error.errors.map((e) => `${dir}${path.sep}${e}`)].join("\n");
}
