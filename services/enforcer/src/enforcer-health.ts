import type { ControlTopicStatus } from "@flowzone/policy-runtime";

/**
 * Where one route's consumer stands: `starting` until it first joins its group, `consuming` once
 * it has (with no partitions too, when the group has more members than the source has
 * partitions), `restarting` after a crash kafkajs retries, `stopped` after one it does not (the
 * process is then on its way out).
 */
export type RouteState = "starting" | "consuming" | "restarting" | "stopped";

/** One route on the probes: its state and the source partitions it was last assigned. */
export interface RouteHealth {
  readonly route: string;
  readonly state: RouteState;
  readonly partitions: readonly number[];
}

/** What the enforcer says about itself on `/healthz` and `/readyz`. */
export interface EnforcerHealth {
  readonly status: "ready" | "not_ready";
  readonly policyVersion: string;
  /** Undefined when the enforcer follows a bundle directory alone (no control topic). */
  readonly controlTopic: ControlTopicStatus | undefined;
  readonly routes: readonly RouteHealth[];
}

/**
 * Ready means records flow under the current state: every route's consumer has joined its group
 * and the control topic, when followed, has been read once. Until then a replica must not count
 * toward a rollout, which is what `/readyz` is for.
 */
export function enforcerHealth(policyVersion: string, controlTopic: ControlTopicStatus | undefined, routes: readonly RouteHealth[]): EnforcerHealth {
  const ready = routes.every((route) => route.state === "consuming") && controlTopic?.state !== "waiting";
  return { status: ready ? "ready" : "not_ready", policyVersion, controlTopic, routes };
}
