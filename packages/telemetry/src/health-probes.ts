import type { ProbeAnswer } from "./metrics-server";

/** What a process says about itself on its probes: `status` decides `/readyz`, the rest is detail. */
export interface HealthReport {
  readonly status: "ready" | "not_ready";
}

/**
 * The probe pair a process without its own HTTP API serves beside `/metrics`: `/healthz` answers
 * 200 with the report while the process runs (liveness: restart only what no longer answers),
 * `/readyz` 200 when the report says ready and 503 otherwise, with the report either way so the
 * reason is one `curl` away.
 */
export function healthProbes(report: () => HealthReport): Readonly<Record<string, () => ProbeAnswer>> {
  return {
    "/healthz": () => ({ statusCode: 200, body: report() }),
    "/readyz": () => {
      const body = report();
      return { statusCode: body.status === "ready" ? 200 : 503, body };
    },
  };
}
