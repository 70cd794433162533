import type * as grpc from "@grpc/grpc-js";
import type { HealthReporter } from "./health";

export interface ShutdownOptions {
  /** How long in-flight calls may run before they are cut off. */
  readonly graceMs: number;
  /** Marked NOT_SERVING first, so balancers stop routing here while calls drain. */
  readonly health?: HealthReporter;
}

/**
 * Stops a server the way an orchestrator expects: NOT_SERVING, no new calls, in-flight calls
 * (open streams included) finish, and whatever is still running after `graceMs` is cancelled.
 * Resolves `true` when it had to force.
 */
export function shutdownGracefully(server: grpc.Server, options: ShutdownOptions): Promise<boolean> {
  options.health?.setServing(false);
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      server.forceShutdown();
      resolve(true);
    }, options.graceMs);
    server.tryShutdown(() => {
      clearTimeout(deadline);
      resolve(false);
    });
  });
}
