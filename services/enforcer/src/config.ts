import { readFile } from "node:fs/promises";

import { FLOW_REPORT_INTERVAL_SETTING } from "@flowzone/flow-report";
import { AUDIT_RETENTION_SETTING, BROKERS_SETTING, CONTROL_VERIFY_KEYS_SETTING, KAFKA_CONFIG_SETTING, configuredBrokers } from "@flowzone/kafka";
import { HOME_SETTING, integer, METRICS_TOKEN_FILE_SETTING, port, readSettings, requiredText, SERVER_TLS_SETTINGS, serverTlsOf, text, type ServerTlsFiles, type SettingSources, type SettingValues } from "@flowzone/service-kit";
import { DEFAULT_METRICS_PORT } from "@flowzone/telemetry";

import { EnforcerError } from "./enforcer-error";
import { ENFORCER_DEFAULTS } from "./options";
import type { Route } from "./route";
import { parseRoutes } from "./routes";

/** Every setting of the stream enforcer (`flowzone enforcer`); docs/reference/configuration.md lists them. */
export const ENFORCER_SETTINGS = {
  policyDir: requiredText({ env: "FLOWZONE_POLICY", flag: "policy", what: "policy directory", description: "Policy bundle directory, read at start and followed; the control topic applies on top." }),
  routesFile: requiredText({ env: "FLOWZONE_ROUTES", flag: "routes", what: "routes file", description: "The routes file (YAML): which topic goes to which, and what to do with violations." }),
  brokers: BROKERS_SETTING,
  kafkaConfig: KAFKA_CONFIG_SETTING,
  controlVerifyKeys: CONTROL_VERIFY_KEYS_SETTING,
  metricsPort: port({ env: "FLOWZONE_METRICS_PORT", flag: "metrics-port", description: "Port of GET /metrics (0 picks a free one).", default: DEFAULT_METRICS_PORT }),
  metricsHost: text({
    env: "FLOWZONE_ENFORCER_METRICS_HOST",
    flag: "metrics-host",
    description: "Address /metrics, /healthz and /readyz bind: 127.0.0.1 by default, 0.0.0.0 where a scraper or a kubelet reaches the enforcer from another host.",
    default: "127.0.0.1",
  }),
  metricsToken: METRICS_TOKEN_FILE_SETTING,
  auditTopic: text({ env: "FLOWZONE_AUDIT_TOPIC", description: "Audit topic (default flowzone.audit.v1); for tests and side-by-side deployments.", default: undefined }),
  auditRetentionMs: AUDIT_RETENTION_SETTING,
  flowsTopic: text({ env: "FLOWZONE_FLOWS_TOPIC", description: "Flows topic (default flowzone.flows.v1); for tests and side-by-side deployments.", default: undefined }),
  flowReportIntervalMs: FLOW_REPORT_INTERVAL_SETTING,
  controlTopic: text({ env: "FLOWZONE_CONTROL_TOPIC", description: "Control topic followed (default flowzone.control.v1); for tests and side-by-side deployments.", default: undefined }),
  sessionTimeoutMs: integer({
    env: "FLOWZONE_ENFORCER_SESSION_TIMEOUT_MS",
    description: `How long a dead enforcer keeps its partitions before its group hands them on (default ${ENFORCER_DEFAULTS.sessionTimeoutMs}).`,
    default: undefined,
    min: 6000,
    max: 300_000,
  }),
  home: HOME_SETTING,
  ...SERVER_TLS_SETTINGS,
};

/** The enforcer's settings; the caller reads the routes file with {@link readRoutesFile}. */
export type EnforcerConfig = Omit<SettingValues<typeof ENFORCER_SETTINGS>, keyof typeof SERVER_TLS_SETTINGS> & {
  /** `FLOWZONE_TLS_CERT` / `KEY`: given, `/metrics` serves HTTPS (the enforcer has no gRPC listener). */
  readonly tls: ServerTlsFiles | undefined;
};

/**
 * Reads the enforcer's settings from flags and environment (flag over variable over default, see
 * `readSettings`). Called at start-up, never at import.
 *
 * @throws FlowzoneError `invalid_config` naming the flag or variable and what is wrong with it.
 */
export function enforcerConfig(sources: SettingSources): EnforcerConfig {
  const { tlsCert, tlsKey, tlsClientCa, ...settings } = readSettings(ENFORCER_SETTINGS, sources);
  return { ...settings, tls: serverTlsOf({ tlsCert, tlsKey, tlsClientCa }), brokers: configuredBrokers(settings.brokers, settings.kafkaConfig) };
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
