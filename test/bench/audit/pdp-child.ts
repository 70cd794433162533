/**
 * One decision service of bench:audit in its own process, as `flowzone pdp` runs it:
 * startDecisionService on 127.0.0.1, port 0, the service's defaults, no /metrics server (two of
 * them run side by side). With brokers it writes the audit trail to the given topics (and, unless
 * its flow report interval is 0, reports its flows); without, it only answers. Prints {"benchPort": N, "policyVersion": V} once serving; exits when its
 * stdin closes. The environment is not read: both children get exactly the same settings
 * apart from the audit trail.
 *
 * Usage: node pdp-child.js '<AuditPdpChildConfig as JSON>'
 */
import { createLogger } from "@flowzone/logging";
import { decisionServiceConfig, startDecisionService } from "@flowzone/pdp";

import type { AuditPdpChildConfig, AuditPdpReady } from "./child-protocol";

async function main(): Promise<void> {
  const text = process.argv[2];
  if (text === undefined) throw new Error("usage: pdp-child '<config json>'");
  const config = JSON.parse(text) as AuditPdpChildConfig;
  const options = decisionServiceConfig({
    env: {},
    flags: {
      policy: config.policyDir,
      host: "127.0.0.1",
      port: "0",
      ...(config.brokers === undefined ? {} : { brokers: config.brokers }),
      ...(config.auditSpoolDir === undefined ? {} : { "audit-spool": config.auditSpoolDir }),
    },
  });
  // warn: the service logs nothing per call anyway; this keeps start-up lines off the benchmark's pipe.
  const service = await startDecisionService({
    ...options,
    metricsPort: undefined,
    auditTopic: config.auditTopic,
    controlTopic: config.controlTopic,
    trafficIntervalMs: config.trafficIntervalMs,
    flowReportIntervalMs: config.flowReportIntervalMs,
    flowsTopic: config.flowsTopic,
    auditFsync: config.auditFsync,
    logger: createLogger({ level: "warn", service: "flowzone-bench-audit" }),
  });
  const ready: AuditPdpReady = { benchPort: service.port, policyVersion: service.policyVersion() };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    void service.close(0).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
