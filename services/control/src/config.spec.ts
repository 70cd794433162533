import { FlowzoneError } from "@flowzone/errors";

import { controlConfig } from "./config";

const configOf = (env: Record<string, string>, flags: Record<string, string>): ReturnType<typeof controlConfig> => controlConfig({ env, flags });

describe("controlConfig", () => {
  it("applies the defaults and runs open without FLOWZONE_TOKENS", () => {
    expect(configOf({}, {})).toEqual({
      host: "127.0.0.1",
      httpPort: 8080,
      grpcPort: 50052,
      tokensFile: undefined,
      metricsToken: undefined,
      policyDir: undefined,
      brokers: undefined,
      databaseUrl: undefined,
      databaseConnectTimeoutMs: 5000,
      databaseStatementTimeoutMs: 30000,
      maxOpenSignaturesPerZone: 100000,
      flowsTopic: undefined,
      flowRetentionDays: 30,
      auditRetentionMs: -1,
      home: ".flowzone",
    });
  });

  it.each([
    [
      "env over defaults",
      { FLOWZONE_CONTROL_HOST: "0.0.0.0", FLOWZONE_CONTROL_PORT: "9000", FLOWZONE_CONTROL_GRPC_PORT: "9001", FLOWZONE_TOKENS: "/etc/t.yaml", DATABASE_URL: "postgres://db/x" },
      {},
      { host: "0.0.0.0", httpPort: 9000, grpcPort: 9001, tokensFile: "/etc/t.yaml", databaseUrl: "postgres://db/x" },
    ],
    [
      "flags over env",
      { FLOWZONE_CONTROL_HOST: "0.0.0.0", FLOWZONE_CONTROL_PORT: "9000", FLOWZONE_CONTROL_GRPC_PORT: "9001", FLOWZONE_TOKENS: "/etc/t.yaml" },
      { host: "::1", "http-port": "7000", "grpc-port": "7001", tokens: "/flag.yaml" },
      { host: "::1", httpPort: 7000, grpcPort: 7001, tokensFile: "/flag.yaml" },
    ],
    ["port 0 twice picks two free ports", { FLOWZONE_CONTROL_PORT: "0", FLOWZONE_CONTROL_GRPC_PORT: "0" }, {}, { httpPort: 0, grpcPort: 0 }],
    [
      "database timeouts, flag over env",
      { FLOWZONE_DATABASE_CONNECT_TIMEOUT_MS: "2000", FLOWZONE_DATABASE_STATEMENT_TIMEOUT_MS: "9000" },
      { "database-statement-timeout-ms": "60000" },
      { databaseConnectTimeoutMs: 2000, databaseStatementTimeoutMs: 60000 },
    ],
    ["an empty variable is unset", { FLOWZONE_TOKENS: "", DATABASE_URL: "" }, {}, { tokensFile: undefined, databaseUrl: undefined }],
    ["the flow inventory's topic and retention", { FLOWZONE_FLOWS_TOPIC: "flows-b", FLOWZONE_FLOW_RETENTION_DAYS: "90" }, { "flow-retention-days": "7" }, { flowsTopic: "flows-b", flowRetentionDays: 7 }],
    ["the audit topic's retention, flag over env", { FLOWZONE_AUDIT_RETENTION_MS: "-1" }, { "audit-retention-ms": "604800000" }, { auditRetentionMs: 604_800_000 }],
  ])("%s", (_name, env, flags, expected) => {
    expect(configOf(env, flags)).toMatchObject(expected);
  });

  it.each([
    [{ FLOWZONE_CONTROL_PORT: "http" }, {}, 'FLOWZONE_CONTROL_PORT: "http" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{}, { "grpc-port": "70000" }, '--grpc-port: "70000" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{}, { "http-port": "-1" }, '--http-port: "-1" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{}, { tokens: " " }, "--tokens: must not be empty"],
    [{ FLOWZONE_DATABASE_CONNECT_TIMEOUT_MS: "5s" }, {}, 'FLOWZONE_DATABASE_CONNECT_TIMEOUT_MS: "5s" must be a whole number from 100 to 300000'],
    [{}, { "database-statement-timeout-ms": "0" }, '--database-statement-timeout-ms: "0" must be a whole number from 100 to 3600000'],
    [{ FLOWZONE_MAX_OPEN_SIGNATURES_PER_ZONE: "0" }, {}, 'FLOWZONE_MAX_OPEN_SIGNATURES_PER_ZONE: "0" must be a whole number from 1 to 100000000'],
    [{ FLOWZONE_FLOW_RETENTION_DAYS: "0" }, {}, 'FLOWZONE_FLOW_RETENTION_DAYS: "0" must be a whole number from 1 to 3650'],
    [{ FLOWZONE_KAFKA_BROKERS: "localhost" }, {}, 'FLOWZONE_KAFKA_BROKERS: "localhost" must be comma-separated host:port pairs'],
    [{ FLOWZONE_CONTROL_PORT: "9000", FLOWZONE_CONTROL_GRPC_PORT: "9000" }, {}, "FLOWZONE_CONTROL_GRPC_PORT: 9000 is also the HTTP port; HTTP and gRPC need different ports"],
    [{ FLOWZONE_CONTROL_HOST: "0.0.0.0" }, {}, 'FLOWZONE_CONTROL_HOST: "0.0.0.0" is not a loopback address, and without a token file the control API would be open'],
    [{ FLOWZONE_CONTROL_HOST: "127.0.0.1" }, { host: "10.0.0.5" }, '--host: "10.0.0.5" is not a loopback address, and without a token file'],
  ])("rejects %j with flags %j", (env, flags, message) => {
    expect(() => configOf(env, flags)).toThrow(FlowzoneError);
    expect(() => configOf(env, flags)).toThrow(message);
  });
});
