import { AUDIT_RETENTION_SETTING, BROKERS_SETTING, CONTROL_SIGNING_KEY_SETTING, KAFKA_CONFIG_SETTING, configuredBrokers } from "@flowzone/kafka";
import { DATABASE_DEFAULTS, DEFAULT_FLOW_RETENTION_MS, DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE } from "@flowzone/control";
import { HOME_SETTING, integer, invalidSetting, METRICS_TOKEN_FILE_SETTING, OPTIONAL_POLICY_SETTING, port, readSettings, SERVER_TLS_SETTINGS, serverTlsOf, text, type SettingSources } from "@flowzone/service-kit";

import { DEFAULTS } from "./defaults";
import { requireTokensOffLoopback } from "./loopback";

/** Every setting of the control plane (`flowzone control`); docs/reference/configuration.md lists them. */
export const CONTROL_SETTINGS = {
  host: text({ env: "FLOWZONE_CONTROL_HOST", flag: "host", description: "Address the HTTP and gRPC servers bind.", default: DEFAULTS.host }),
  httpPort: port({ env: "FLOWZONE_CONTROL_PORT", flag: "http-port", description: "HTTP API port (0 picks a free one).", default: DEFAULTS.httpPort }),
  grpcPort: port({ env: "FLOWZONE_CONTROL_GRPC_PORT", flag: "grpc-port", description: "gRPC ZoneService port (0 picks a free one).", default: DEFAULTS.grpcPort }),
  tokensFile: text({
    env: "FLOWZONE_TOKENS",
    flag: "tokens",
    description: "Bearer token file (YAML: token, subject, role); unset, the API is open to anyone who can reach it, so it may listen on loopback only (development).",
    default: undefined,
  }),
  metricsToken: METRICS_TOKEN_FILE_SETTING,
  policyDir: OPTIONAL_POLICY_SETTING,
  routesFile: text({
    env: "FLOWZONE_ROUTES",
    flag: "routes",
    description: "The enforcer's routes file (YAML), read at start: the routes POST /v1/routes/{route}/redrive re-drives; unset, that endpoint answers 409.",
    default: undefined,
  }),
  brokers: BROKERS_SETTING,
  kafkaConfig: KAFKA_CONFIG_SETTING,
  controlSigningKey: CONTROL_SIGNING_KEY_SETTING,
  databaseUrl: text({ env: "DATABASE_URL", description: "PostgreSQL connection URL; unset, embedded PGlite in <home>/pglite.", default: undefined }),
  databaseConnectTimeoutMs: integer({
    env: "FLOWZONE_DATABASE_CONNECT_TIMEOUT_MS",
    flag: "database-connect-timeout-ms",
    description: "How long opening a PostgreSQL connection may take before the request answers 503 unavailable (server only, not PGlite).",
    default: DATABASE_DEFAULTS.connectTimeoutMs,
    min: 100,
    max: 300_000,
  }),
  databaseStatementTimeoutMs: integer({
    env: "FLOWZONE_DATABASE_STATEMENT_TIMEOUT_MS",
    flag: "database-statement-timeout-ms",
    description: "PostgreSQL statement_timeout of every statement; one that runs longer is cancelled and answers 503 unavailable (server only, not PGlite).",
    default: DATABASE_DEFAULTS.statementTimeoutMs,
    min: 100,
    max: 3_600_000,
  }),
  maxOpenSignaturesPerZone: integer({
    env: "FLOWZONE_MAX_OPEN_SIGNATURES_PER_ZONE",
    flag: "max-open-signatures-per-zone",
    description: "Most open violation signatures a zone holds; violations of new signatures beyond it are counted (zone status, metric), not stored.",
    default: DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE,
    min: 1,
    max: 100_000_000,
  }),
  auditRetentionMs: AUDIT_RETENTION_SETTING,
  flowsTopic: text({ env: "FLOWZONE_FLOWS_TOPIC", description: "Flows topic the inventory reads (default flowzone.flows.v1); for tests and side-by-side deployments.", default: undefined }),
  flowRetentionDays: integer({
    env: "FLOWZONE_FLOW_RETENTION_DAYS",
    flag: "flow-retention-days",
    description: "Days a flow no decision point reported stays in the flow inventory (and what-if); its hourly counts older than that go too.",
    default: DEFAULT_FLOW_RETENTION_MS / 86_400_000,
    min: 1,
    max: 3650,
  }),
  replicaId: text({
    env: "FLOWZONE_CONTROL_REPLICA_ID",
    flag: "replica-id",
    description: "This replica's name in its leadership log lines, /readyz and the flowzone_control_leader metric; unset, <hostname>-<pid>.",
    default: undefined,
  }),
  home: HOME_SETTING,
  ...SERVER_TLS_SETTINGS,
};

/** The control plane's settings, as {@link controlConfig} reads them. */
export type ControlConfig = ReturnType<typeof readControlSettings>;

function readControlSettings(sources: SettingSources) {
  const { tlsCert, tlsKey, tlsClientCa, ...settings } = readSettings(CONTROL_SETTINGS, sources);
  return { ...settings, tls: serverTlsOf({ tlsCert, tlsKey, tlsClientCa }) };
}

/**
 * Reads the control plane's settings from flags and environment (flag over variable over default,
 * see `readSettings`). Called at start-up, never at import.
 *
 * @throws FlowzoneError `invalid_config` naming the flag or variable and the bad value, or the host
 *   when it is off loopback without a token file (checked here too, so the command fails before it
 *   opens the database and Kafka).
 */
export function controlConfig(sources: SettingSources): ControlConfig {
  const settings = readControlSettings(sources);
  const config = { ...settings, brokers: configuredBrokers(settings.brokers, settings.kafkaConfig) };
  if (config.httpPort !== 0 && config.httpPort === config.grpcPort) {
    const name = sources.flags?.["grpc-port"] !== undefined ? "--grpc-port" : "FLOWZONE_CONTROL_GRPC_PORT";
    throw invalidSetting(name, `${config.grpcPort} is also the HTTP port; HTTP and gRPC need different ports`);
  }
  requireTokensOffLoopback(config.host, config.tokensFile !== undefined, sources.flags?.["host"] !== undefined ? "--host" : "FLOWZONE_CONTROL_HOST");
  return config;
}
