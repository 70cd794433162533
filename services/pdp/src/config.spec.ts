import { FlowzoneError } from "@flowzone/errors";

import { decisionServiceConfig as configOf } from "./config";
import { DEFAULTS } from "./defaults";

function decisionServiceConfig(env: Record<string, string>, flags: Record<string, string>): ReturnType<typeof configOf> {
  return configOf({ env, flags });
}

describe("decisionServiceConfig", () => {
  it("applies defaults for everything but the policy directory", () => {
    expect(decisionServiceConfig({ FLOWZONE_POLICY: "/policy" }, {})).toEqual({
      policyDir: "/policy",
      host: "127.0.0.1",
      port: 50051,
      metricsPort: 9464,
      reloadIntervalMs: 1000,
      limits: { maxMessageBytes: 4 * 1024 * 1024, maxLabels: 64, maxSources: 64, maxBatch: 1000 },
      brokers: undefined,
      auditSpoolDir: undefined,
      auditRetentionMs: -1,
    });
    expect(DEFAULTS.limits.maxMessageBytes).toBe(4194304);
  });

  it.each([
    ["env over defaults", { FLOWZONE_POLICY: "/env", FLOWZONE_PDP_HOST: "0.0.0.0", FLOWZONE_PDP_PORT: "6000" }, {}, { policyDir: "/env", host: "0.0.0.0", port: 6000 }],
    ["flags over env", { FLOWZONE_POLICY: "/env", FLOWZONE_PDP_HOST: "0.0.0.0", FLOWZONE_PDP_PORT: "6000" }, { policy: "/flag", host: "::1", port: "7000" }, { policyDir: "/flag", host: "::1", port: 7000 }],
    ["port 0 for a free port", { FLOWZONE_POLICY: "/env", FLOWZONE_PDP_PORT: "0" }, {}, { port: 0 }],
    ["metrics port from env, flag over env", { FLOWZONE_POLICY: "/env", FLOWZONE_METRICS_PORT: "0" }, { "metrics-port": "9500" }, { metricsPort: 9500 }],
    ["metrics port 0 for a free port", { FLOWZONE_POLICY: "/env", FLOWZONE_METRICS_PORT: "0" }, {}, { metricsPort: 0 }],
    ["flow reporting off", { FLOWZONE_POLICY: "/env", FLOWZONE_FLOW_REPORT_INTERVAL_MS: "0" }, {}, { flowReportIntervalMs: 0 }],
    ["a flow report interval", { FLOWZONE_POLICY: "/env", FLOWZONE_FLOW_REPORT_INTERVAL_MS: "2000" }, {}, { flowReportIntervalMs: 2000 }],
    ["the audit topic's retention", { FLOWZONE_POLICY: "/env", FLOWZONE_AUDIT_RETENTION_MS: "2592000000" }, {}, { auditRetentionMs: 2_592_000_000 }],
  ])("%s", (_name, env, flags, expected) => {
    expect(decisionServiceConfig(env, flags)).toMatchObject(expected);
  });

  it.each([
    [{}, {}, "--policy: no policy directory given; pass --policy or set FLOWZONE_POLICY"],
    [{ FLOWZONE_POLICY: "" }, {}, "--policy: no policy directory given; pass --policy or set FLOWZONE_POLICY"],
    [{ FLOWZONE_POLICY: "/p" }, { policy: "" }, "--policy: must not be empty"],
    [{ FLOWZONE_POLICY: "/p", FLOWZONE_PDP_PORT: "http" }, {}, 'FLOWZONE_PDP_PORT: "http" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{ FLOWZONE_POLICY: "/p" }, { port: "70000" }, '--port: "70000" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{ FLOWZONE_POLICY: "/p" }, { port: "-1" }, '--port: "-1" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{ FLOWZONE_POLICY: "/p" }, { port: "1.5" }, '--port: "1.5" is not a port; use an integer from 0 to 65535 (0 picks a free port)'],
    [{ FLOWZONE_POLICY: "/p" }, { brokers: "kafka" }, '--brokers: "kafka" must be comma-separated host:port pairs'],
    [{ FLOWZONE_POLICY: "/p", FLOWZONE_AUDIT_RETENTION_MS: "3600000" }, {}, 'FLOWZONE_AUDIT_RETENTION_MS: "3600000" must be -1 (keep forever) or a whole number of ms from 86400000 (one day)'],
    [{ FLOWZONE_POLICY: "/p", FLOWZONE_FLOW_REPORT_INTERVAL_MS: "5s" }, {}, 'FLOWZONE_FLOW_REPORT_INTERVAL_MS: "5s" must be a whole number from 0 to 3600000'],
  ])("rejects %j with flags %j", (env, flags, message) => {
    let caught: unknown;
    try {
      decisionServiceConfig(env, flags);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FlowzoneError);
    expect((caught as FlowzoneError).code).toBe("invalid_config");
    expect((caught as Error).message).toBe(message);
  });
});
