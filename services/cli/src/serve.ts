import type { Logger } from "@flowzone/logging";
import type { RunningService } from "@flowzone/service-kit";

import { describeError } from "./describe-error";
import { ExitCode, type CliIo } from "./io";
import { watchShutdown } from "./shutdown-signal";

/** Options of the service commands (pdp, enforcer, control): tests hand in a logger that collects lines. */
export interface ServiceCommandOptions {
  readonly logger?: Logger | undefined;
}

/**
 * Runs a long-running command's service the one way every command does: stop handlers first (a
 * Ctrl-C during start-up is not lost), then `start`; a start that fails prints why and exits 1.
 * Then it waits for SIGINT/SIGTERM (or `io.shutdown`) or for the service to fail for good, stops
 * everything, and exits 0 after a requested stop, 1 after a failure. `say` tells a person what
 * happens (the log, or stderr for `dev`); why a start failed always goes to stderr.
 */
export async function serve<R extends RunningService>(
  command: string,
  io: CliIo,
  say: (line: string) => void,
  start: () => Promise<R>,
  started: (running: R) => void = () => undefined,
): Promise<ExitCode> {
  const shutdown = watchShutdown(io.shutdown);
  let running: R;
  try {
    running = await start();
  } catch (error) {
    shutdown.dispose();
    io.stderr.write(`flowzone ${command}: cannot start: ${describeError(error)}\n`);
    return ExitCode.failure;
  }
  started(running);
  const outcome = await Promise.race([
    shutdown.requested.then((reason) => ({ reason, error: undefined })),
    running.failed.catch((error: unknown) => ({ reason: "failure", error })),
  ]);
  say(`stopping (${outcome.reason})`);
  await running.stop();
  shutdown.dispose();
  if (outcome.error !== undefined) {
    io.stderr.write(`flowzone ${command}: stopped after a failure: ${describeError(outcome.error)}\n`);
    return ExitCode.failure;
  }
  say("stopped");
  return ExitCode.ok;
}
