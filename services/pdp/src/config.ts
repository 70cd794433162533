import { parseBrokers } from "@flowzone/kafka";
import { ConfigError } from "./config-error";
import { DEFAULTS } from "./defaults";
import type { DecisionServiceOptions } from "./options";

/** Command-line flags of `flowzone pdp`, as the CLI parsed them (strings, unvalidated). */
export interface DecisionServiceFlags {
  readonly policy?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly brokers?: string | undefined;
  readonly auditSpool?: string | undefined;
  readonly metricsPort?: string | undefined;
}

/**
 * Reads the decision service's settings, the one place that looks at the environment: flags win
 * over `FLOWZONE_POLICY` / `FLOWZONE_PDP_HOST` / `FLOWZONE_PDP_PORT` / `FLOWZONE_KAFKA_BROKERS` /
 * `FLOWZONE_AUDIT_SPOOL` / `FLOWZONE_METRICS_PORT`, which win over defaults.
 * Called at start-up, never at import, so tests can hand in their own env.
 *
 * @throws ConfigError naming the flag or variable and the bad value.
 */
export function decisionServiceConfig(env: NodeJS.ProcessEnv, flags: DecisionServiceFlags): Omit<DecisionServiceOptions, "logger"> {
  const policy = pick(flags.policy, "--policy", env["FLOWZONE_POLICY"], "FLOWZONE_POLICY");
  if (policy === undefined) {
    throw new ConfigError("--policy", "no policy directory given; pass --policy DIR or set FLOWZONE_POLICY");
  }
  const host = pick(flags.host, "--host", env["FLOWZONE_PDP_HOST"], "FLOWZONE_PDP_HOST");
  const port = pick(flags.port, "--port", env["FLOWZONE_PDP_PORT"], "FLOWZONE_PDP_PORT");
  const brokers = pick(flags.brokers, "--brokers", env["FLOWZONE_KAFKA_BROKERS"], "FLOWZONE_KAFKA_BROKERS");
  const auditSpool = pick(flags.auditSpool, "--audit-spool", env["FLOWZONE_AUDIT_SPOOL"], "FLOWZONE_AUDIT_SPOOL");
  const metricsPort = pick(flags.metricsPort, "--metrics-port", env["FLOWZONE_METRICS_PORT"], "FLOWZONE_METRICS_PORT");
  return {
    brokers: brokers === undefined ? undefined : parseBrokerList(brokers),
    auditSpoolDir: auditSpool?.value,
    policyDir: policy.value,
    host: host?.value ?? DEFAULTS.host,
    port: port === undefined ? DEFAULTS.port : parsePort(port.setting, port.value),
    metricsPort: metricsPort === undefined ? DEFAULTS.metricsPort : parsePort(metricsPort.setting, metricsPort.value),
    reloadIntervalMs: DEFAULTS.reloadIntervalMs,
    limits: DEFAULTS.limits,
  };
}

interface Setting {
  readonly setting: string;
  readonly value: string;
}

function pick(flag: string | undefined, flagName: string, envValue: string | undefined, envName: string): Setting | undefined {
  const chosen = flag !== undefined ? { setting: flagName, value: flag } : envValue !== undefined ? { setting: envName, value: envValue } : undefined;
  if (chosen !== undefined && chosen.value.trim() === "") {
    throw new ConfigError(chosen.setting, "must not be empty");
  }
  return chosen;
}

function parsePort(setting: string, text: string): number {
  const port = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new ConfigError(setting, `"${text}" is not a port; use an integer from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}

function parseBrokerList(setting: Setting): string[] {
  try {
    return parseBrokers(setting.value);
  } catch (error) {
    throw new ConfigError(setting.setting, error instanceof Error ? error.message : String(error));
  }
}
