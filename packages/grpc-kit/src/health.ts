import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";

/** `grpc.health.v1.Health` for one server: the overall status ("") and each named service. */
export interface HealthReporter {
  addToServer(server: grpc.Server): void;
  /** Flips the overall status and every named service together. */
  setServing(serving: boolean): void;
  /**
   * Makes the status follow `isReady`: now, at every `refresh()`, and every `intervalMs` (for
   * readiness that changes without an event), until `stop()`. Stop before shutting down, so no
   * later check undoes NOT_SERVING.
   */
  follow(isReady: () => boolean, intervalMs: number): Readiness;
}

/** A status following a readiness check; see {@link HealthReporter.follow}. */
export interface Readiness {
  /** Sets the status from the check now (after an event that changes it); nothing once stopped. */
  readonly refresh: () => void;
  readonly stop: () => void;
}

/**
 * Creates the server's health service, NOT_SERVING until `setServing(true)`: a load balancer or
 * orchestrator must not route to a server that has not loaded its policy, nor to one shutting
 * down.
 */
export function createHealth(serviceNames: readonly string[]): HealthReporter {
  const names = ["", ...serviceNames];
  const implementation = new HealthImplementation(Object.fromEntries(names.map((name) => [name, "NOT_SERVING"])));
  const setServing = (serving: boolean): void => {
    for (const name of names) implementation.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
  };
  return {
    addToServer(server: grpc.Server): void {
      implementation.addToServer(server);
    },
    setServing,
    follow(isReady: () => boolean, intervalMs: number): Readiness {
      let stopped = false;
      const refresh = (): void => {
        if (!stopped) setServing(isReady());
      };
      refresh();
      const timer = setInterval(refresh, intervalMs);
      timer.unref();
      return {
        refresh,
        stop: () => {
          stopped = true;
          clearInterval(timer);
        },
      };
    },
  };
}
