import * as path from "node:path";
import { createLogger } from "@flowzone/logging";
import type { Logger } from "@flowzone/logging";
import { ConfigError, decisionServiceConfig, PolicyLoadError, startDecisionService } from "@flowzone/pdp";
import { helpText } from "../help-texts";
import { ExitCode } from "../io";
import type { CliIo } from "../io";
import { describeError } from "../describe-error";
import { parseFlags, stringFlag } from "../parse-flags";
import { watchShutdown } from "../shutdown-signal";
import { UsageError } from "../usage-error";

const COMMAND = "pdp";

/** How long calls in flight may take to finish after SIGINT/SIGTERM before they are cut off. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Where `flowzone pdp` logs; the default is the process's stdout. Tests hand in a collector. */
export interface PdpCommandOptions {
  readonly logger?: Logger;
}

/**
 * `flowzone pdp [--policy DIR] [--host H] [--port N]`: runs the decision service until
 * SIGINT/SIGTERM (or `io.shutdown`), then drains calls in flight and exits 0. A bad flag or
 * environment value is a usage error (2); a service that cannot start (bad bundle, port taken)
 * exits 1.
 */
export async function pdp(args: readonly string[], io: CliIo, options: PdpCommandOptions = {}): Promise<ExitCode> {
  const flags = parseFlags(
    args,
    { policy: { type: "string" }, host: { type: "string" }, port: { type: "string" }, "metrics-port": { type: "string" } },
    COMMAND,
  );
  if (flags.help) {
    io.stdout.write(helpText(COMMAND) ?? "");
    return ExitCode.ok;
  }
  if (flags.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${flags.positionals[0] ?? ""}': the bundle is given with --policy DIR`, COMMAND);
  }

  let config;
  try {
    config = decisionServiceConfig(io.env, {
      policy: stringFlag(flags, "policy"),
      host: stringFlag(flags, "host"),
      port: stringFlag(flags, "port"),
      metricsPort: stringFlag(flags, "metrics-port"),
    });
  } catch (error) {
    // A bad flag or FLOWZONE_* value is a usage error; the message names the setting.
    if (error instanceof ConfigError) throw new UsageError(error.message, COMMAND);
    throw error;
  }

  const root = options.logger ?? createLogger();
  const logger = root.child({ component: "cli" });
  // Install the stop handlers before starting, so a signal during start-up is not lost.
  const shutdown = watchShutdown(io.shutdown);
  let service;
  try {
    service = await startDecisionService({ ...config, logger: root });
  } catch (error) {
    shutdown.dispose();
    io.stderr.write(`flowzone pdp: cannot start the decision service: ${startError(error)}\n`);
    return ExitCode.failure;
  }
  // The service has logged "decision service listening" with its host and port.

  const reason = await shutdown.requested;
  logger.info({ reason, graceMs: SHUTDOWN_GRACE_MS }, "stopping: finishing calls in flight");
  await service.close(SHUTDOWN_GRACE_MS);
  return ExitCode.ok;
}

/** Why the service did not start; bundle errors name `DIR/file:line` like `policy check` does. */
function startError(error: unknown): string {
  if (!(error instanceof PolicyLoadError)) return describeError(error);
  const dir = error.policyDir.replace(/[\\/]+$/, "");
  const n = error.errors.length;
  return [`invalid policy bundle (${n} ${n === 1 ? "error" : "errors"}):`, ...error.errors.map((e) => `${dir}${path.sep}${e}`)].join("\n");
}
