import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";

/** `grpc.health.v1.Health` for one server: the overall status ("") and each named service. */
export interface HealthReporter {
  addToServer(server: grpc.Server): void;
  /** Flips the overall status and every named service together. */
  setServing(serving: boolean): void;
}

/**
 * Creates the server's health service, NOT_SERVING until `setServing(true)`: a load balancer or
 * orchestrator must not route to a server that has not loaded its policy, nor to one shutting
 * down.
 */
export function createHealth(serviceNames: readonly string[]): HealthReporter {
  const names = ["", ...serviceNames];
  const implementation = new HealthImplementation(Object.fromEntries(names.map((name) => [name, "NOT_SERVING"])));
  return {
    addToServer(server: grpc.Server): void {
      implementation.addToServer(server);
    },
    setServing(serving: boolean): void {
      for (const name of names) implementation.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
    },
  };
}
