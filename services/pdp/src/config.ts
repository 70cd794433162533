import { FLOW_REPORT_INTERVAL_SETTING } from "@flowzone/flow-report";
import { AUDIT_RETENTION_SETTING, BROKERS_SETTING, CONTROL_VERIFY_KEYS_SETTING, KAFKA_CONFIG_SETTING, configuredBrokers } from "@flowzone/kafka";
import { METRICS_TOKEN_FILE_SETTING, port, readSettings, requiredText, SERVER_TLS_SETTINGS, serverTlsOf, text, type SettingSources } from "@flowzone/service-kit";

import { DEFAULTS } from "./defaults";
import type { DecisionServiceOptions } from "./options";

/** Every setting of the decision service (`flowzone pdp`); docs/reference/configuration.md lists them. */
export const DECISION_SERVICE_SETTINGS = {
  policyDir: requiredText({ env: "FLOWZONE_POLICY", flag: "policy", what: "policy directory", description: "Policy bundle directory, read at start and polled for changes." }),
  host: text({ env: "FLOWZONE_PDP_HOST", flag: "host", description: "Address the gRPC server binds.", default: DEFAULTS.host }),
  port: port({ env: "FLOWZONE_PDP_PORT", flag: "port", description: "gRPC port of DecisionService (0 picks a free one).", default: DEFAULTS.port }),
  brokers: BROKERS_SETTING,
  kafkaConfig: KAFKA_CONFIG_SETTING,
  controlVerifyKeys: CONTROL_VERIFY_KEYS_SETTING,
  auditSpoolDir: text({
    env: "FLOWZONE_AUDIT_SPOOL",
    flag: "audit-spool",
    description: "Disk spool of the audit trail while Kafka is away; one decision service per folder (default .flowzone/spool/pdp-<port>).",
    default: undefined,
  }),
  auditRetentionMs: AUDIT_RETENTION_SETTING,
  flowReportIntervalMs: FLOW_REPORT_INTERVAL_SETTING,
  metricsPort: port({ env: "FLOWZONE_METRICS_PORT", flag: "metrics-port", description: "Port of GET /metrics (0 picks a free one).", default: DEFAULTS.metricsPort }),
  metricsToken: METRICS_TOKEN_FILE_SETTING,
  ...SERVER_TLS_SETTINGS,
  identitiesFile: text({
    env: "FLOWZONE_IDENTITIES",
    flag: "identities",
    description: "Identities file (YAML): bearer tokens, client-certificate mappings and the producers each identity may speak for; set, or with FLOWZONE_TLS_CLIENT_CA, callers are authenticated.",
    default: undefined,
  }),
};

/**
 * Reads the decision service's settings from flags and environment (flag over variable over
 * default, see `readSettings`). Called at start-up, never at import, so tests hand in their own.
 *
 * @throws FlowzoneError `invalid_config` naming the flag or variable and the bad value.
 */
export function decisionServiceConfig(sources: SettingSources): Omit<DecisionServiceOptions, "logger"> {
  const { tlsCert, tlsKey, tlsClientCa, ...settings } = readSettings(DECISION_SERVICE_SETTINGS, sources);
  return { ...settings, tls: serverTlsOf({ tlsCert, tlsKey, tlsClientCa }), brokers: configuredBrokers(settings.brokers, settings.kafkaConfig), reloadIntervalMs: DEFAULTS.reloadIntervalMs, limits: DEFAULTS.limits };
}
