import { readFile } from "node:fs/promises";

import { parseBrokers } from "@flowzone/kafka";
import { DEFAULT_METRICS_PORT } from "@flowzone/telemetry";

import { EnforcerError } from "./enforcer-error";
import type { Route } from "./route";
import { parseRoutes } from "./routes";

/** Command-line flags of `flowzone enforcer`, as the CLI parsed them (strings, unvalidated). */
export interface EnforcerFlags {
  readonly routes?: string | undefined;
  readonly policy?: string | undefined;
  readonly brokers?: string | undefined;
  readonly metricsPort?: string | undefined;
}

/** The enforcer's settings from flags and environment; the caller reads the routes file with {@link readRoutesFile}. */
export interface EnforcerConfig {
  /** Undefined when neither `--brokers` nor `FLOWZONE_KAFKA_BROKERS` is set (dev provisions a local broker). */
  readonly brokers: readonly string[] | undefined;
  readonly policyDir: string;
  readonly routesFile: string;
  /** `FLOWZONE_AUDIT_TOPIC`; undefined means `flowzone.audit.v1`. */
  readonly auditTopic: string | undefined;
  /** `FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS`; undefined means the default (30 s). */
  readonly sessionTimeoutMs: number | undefined;
  /** `/metrics` port (`--metrics-port` / `FLOWZONE_METRICS_PORT`, default 9464; 0 picks a free one). */
  readonly metricsPort: number;
}

/**
 * Reads the enforcer's settings, the one place that looks at the environment: flags win over
 * `FLOWZONE_KAFKA_BROKERS` / `FLOWZONE_POLICY` / `FLOWZONE_ROUTES` / `FLOWZONE_METRICS_PORT` (and the optional
 * `FLOWZONE_AUDIT_TOPIC`, `FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS`), which win over defaults.
 *
 * @throws EnforcerError naming the flag or variable and what is wrong with it.
 */
export function enforcerConfig(env: NodeJS.ProcessEnv, flags: EnforcerFlags = {}): EnforcerConfig {
  const policy = pick(flags.policy, "--policy", env["FLOWZONE_POLICY"], "FLOWZONE_POLICY");
  if (policy === undefined) throw new EnforcerError("--policy: no policy directory given; pass --policy DIR or set FLOWZONE_POLICY");
  const routes = pick(flags.routes, "--routes", env["FLOWZONE_ROUTES"], "FLOWZONE_ROUTES");
  if (routes === undefined) throw new EnforcerError("--routes: no routes file given; pass --routes FILE or set FLOWZONE_ROUTES");
  const brokers = pick(flags.brokers, "--brokers", env["FLOWZONE_KAFKA_BROKERS"], "FLOWZONE_KAFKA_BROKERS");
  const auditTopic = pick(undefined, "", env["FLOWZONE_AUDIT_TOPIC"], "FLOWZONE_AUDIT_TOPIC");
  const session = pick(undefined, "", env["FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS"], "FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS");
  let sessionTimeoutMs: number | undefined;
  if (session !== undefined) {
    sessionTimeoutMs = /^\d+$/.test(session.value) ? Number(session.value) : NaN;
    if (!(sessionTimeoutMs >= 6000 && sessionTimeoutMs <= 300_000)) {
      throw new EnforcerError(`${session.setting}: "${session.value}" must be milliseconds from 6000 to 300000`);
    }
  }
  const metrics = pick(flags.metricsPort, "--metrics-port", env["FLOWZONE_METRICS_PORT"], "FLOWZONE_METRICS_PORT");
  const metricsPort = metrics === undefined ? DEFAULT_METRICS_PORT : /^\d+$/.test(metrics.value.trim()) ? Number(metrics.value.trim()) : NaN;
  if (!(metricsPort >= 0 && metricsPort <= 65535)) throw new EnforcerError(`${metrics?.setting ?? ""}: "${metrics?.value ?? ""}" is not a port; use an integer from 0 to 65535 (0 picks a free port)`);
  let brokerList: string[] | undefined;
  if (brokers !== undefined) {
    try {
      brokerList = parseBrokers(brokers.value);
    } catch (error) {
      throw new EnforcerError(`${brokers.setting}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { brokers: brokerList, policyDir: policy.value, routesFile: routes.value, auditTopic: auditTopic?.value, sessionTimeoutMs, metricsPort };
}

/**
 * Reads and validates a routes file.
 *
 * @throws EnforcerError with every `file:line: message` when the file is invalid or unreadable.
 */
export async function readRoutesFile(path: string): Promise<readonly Route[]> {
  let content: string;
  try {
    content = await readFile(path, "utf8");
  } catch (error) {
    throw new EnforcerError(`cannot read the routes file "${path}": ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = parseRoutes({ path, content });
  if (!result.ok) throw new EnforcerError(`the routes file "${path}" is invalid`, result.errors);
  return result.routes;
}

interface Setting {
  readonly setting: string;
  readonly value: string;
}

function pick(flag: string | undefined, flagName: string, envValue: string | undefined, envName: string): Setting | undefined {
  const chosen = flag !== undefined ? { setting: flagName, value: flag } : envValue !== undefined && envValue !== "" ? { setting: envName, value: envValue } : undefined;
  if (chosen !== undefined && chosen.value.trim() === "") throw new EnforcerError(`${chosen.setting}: must not be empty`);
  return chosen;
}
