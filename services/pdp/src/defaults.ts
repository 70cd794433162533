import { DEFAULT_MAX_LABELS, DEFAULT_MAX_SOURCES } from "@flowzone/engine";

import type { Limits } from "./limits";

/**
 * Every default of the decision service, in one place so the CLI, the docs and the tests agree.
 * The contract fixes the port (50051); the limits keep one caller from monopolising a server.
 */
export const DEFAULTS = {
  host: "127.0.0.1",
  port: 50051,
  /** `/metrics` (Prometheus text); the exporter's registered port. */
  metricsPort: 9464,
  reloadIntervalMs: 1000,
  trafficIntervalMs: 10_000,
  /** Under the working directory; the port keeps two local replicas apart. */
  auditSpoolRoot: ".flowzone/spool",
  limits: {
    maxMessageBytes: 4 * 1024 * 1024,
    /** The engine's defaults: the bundle's Defaults bound every decision point the same way. */
    maxLabels: DEFAULT_MAX_LABELS,
    maxSources: DEFAULT_MAX_SOURCES,
    maxBatch: 1000,
  } satisfies Limits,
} as const;
