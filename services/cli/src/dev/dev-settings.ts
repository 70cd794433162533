import path from "node:path";

import { FLOW_REPORT_INTERVAL_SETTING } from "@flowzone/flow-report";
import { AUDIT_RETENTION_SETTING, BROKERS_SETTING, KAFKA_CONFIG_SETTING } from "@flowzone/kafka";
import { HOME_SETTING, port, SERVER_TLS_SETTINGS, text } from "@flowzone/service-kit";

/** Every setting of `flowzone dev`: the example organisation on the default ports. */
export const DEV_SETTINGS = {
  policyDir: text({ env: "FLOWZONE_POLICY", flag: "policy", description: "Policy bundle directory.", default: path.join("examples", "bundle") }),
  routesFile: text({ env: "FLOWZONE_ROUTES", flag: "routes", description: "The enforcer's routes file.", default: path.join("examples", "routes.yaml") }),
  home: HOME_SETTING,
  pdpPort: port({ env: "FLOWZONE_PDP_PORT", flag: "pdp-port", description: "Decision service gRPC port (0 picks a free one).", default: 50051 }),
  controlHttpPort: port({ env: "FLOWZONE_CONTROL_PORT", flag: "http-port", description: "Control plane HTTP port (0 picks a free one).", default: 8080 }),
  controlGrpcPort: port({ env: "FLOWZONE_CONTROL_GRPC_PORT", flag: "grpc-port", description: "Control plane gRPC port (0 picks a free one).", default: 50052 }),
  metricsPort: port({ env: "FLOWZONE_METRICS_PORT", flag: "metrics-port", description: "Port of GET /metrics for the whole process (0 picks a free one).", default: 9464 }),
  brokers: BROKERS_SETTING,
  kafkaConfig: KAFKA_CONFIG_SETTING,
  databaseUrl: text({ env: "DATABASE_URL", description: "PostgreSQL connection URL; unset, embedded PGlite in <home>/pglite.", default: undefined }),
  auditRetentionMs: AUDIT_RETENTION_SETTING,
  flowReportIntervalMs: FLOW_REPORT_INTERVAL_SETTING,
  tokensFile: text({ env: "FLOWZONE_TOKENS", flag: "tokens", description: "Bearer token file of the control plane; unset, its API is open (development only).", default: undefined }),
  ...SERVER_TLS_SETTINGS,
};
