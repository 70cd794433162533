/**
 * The enforcer as the system under test: `startEnforcer` with one route per lane, the service's
 * defaults otherwise, and the run's delivery guarantee. Exits when its stdin closes.
 *
 * Usage: node enforcer-child.js '<ChildConfig json>'
 */
import { startEnforcer } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";

import { parseChildConfig, reportProgress, routeOf } from "./child-protocol";

async function main(): Promise<void> {
  const config = parseChildConfig(process.argv[2]);
  const logger = createLogger({ level: "warn", service: "flowzone-bench-enforcer" });
  const kafka = createKafka({ brokers: config.brokers.split(","), clientId: "bench-enforcer", logger });
  const routes = config.lanes.map((lane) => routeOf(config, lane));
  const enforcer = await startEnforcer({
    kafka,
    routes,
    policyDir: config.policyDir,
    logger,
    auditTopic: config.auditTopic,
    deliveryGuarantee: config.guarantee,
    transactionalIdPrefix: `bench-${config.runId}`,
    sessionTimeoutMs: 10_000,
  });
  // The latency lane only sees records after "done", so the summed counters are the main lane's until then.
  await reportProgress(() => {
    const s = enforcer.stats();
    return { records: s.records, forwarded: s.forwarded, quarantined: s.quarantined, audits: s.audits, transactions: s.batches, aborted: s.abortedBatches };
  });
  await enforcer.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
