import { randomBytes } from "node:crypto";

import { flowReportIntervalMs, startFlowReporter } from "@flowzone/flow-report";
import { AUDIT_TOPIC, auditTopicSpec, ensureTopics, flowsTopicSpec, type TopicSpec } from "@flowzone/kafka";
import { PolicyLoadError, startPolicyRuntime, type PolicyHolder } from "@flowzone/policy-runtime";
import { ServerCertificates } from "@flowzone/service-kit";
import { createTelemetry, EnforcerMetrics, healthProbes, observeFlowReports, serveMetricsIfPossible, type MetricsServer } from "@flowzone/telemetry";

import { EnforcerError } from "./enforcer-error";
import { enforcerHealth } from "./enforcer-health";
import { ENFORCER_DEFAULTS, type DeliveryGuarantee, type EnforcerOptions, type EnforcerStats, type RunningEnforcer } from "./options";
import { RouteWorker } from "./route-worker";

/**
 * Starts the stream enforcer: one {@link RouteWorker} per route, all deciding with the same
 * engine, which follows the bundle directory like the decision service does (a good edit swaps
 * the engine between two batches; a broken one keeps the old engine and logs `file:line`).
 * Creates the output, quarantine and audit topics that do not exist yet (outputs with as many
 * partitions as their source).
 *
 * @throws EnforcerError when the options are inconsistent or the bundle does not load.
 */
export async function startEnforcer(options: EnforcerOptions): Promise<RunningEnforcer> {
  const logger = options.logger.child({ component: "enforcer" });
  if ((options.policyDir === undefined) === (options.policy === undefined)) {
    throw new EnforcerError("give the enforcer exactly one of policyDir and policy");
  }
  if (options.routes.length === 0) throw new EnforcerError("the enforcer needs at least one route");
  const deliveryGuarantee = deliveryGuaranteeOf(options);
  const flowIntervalMs = flowReportIntervalMs(options.flowReportIntervalMs, "the enforcer's flowReportIntervalMs");
  // With a directory, the enforcer follows that directory alone; callers that want the control
  // topic too (the CLI, dev) hand in a policy runtime's holder instead.
  const runtime =
    options.policyDir === undefined
      ? undefined
      : await startPolicyRuntime({ policyDir: options.policyDir, reloadIntervalMs: options.reloadIntervalMs ?? ENFORCER_DEFAULTS.reloadIntervalMs, logger: options.logger }).catch(
          (error: unknown) => {
            if (error instanceof PolicyLoadError) throw new EnforcerError(`policy bundle in "${error.policyDir}" does not load`, error.errors);
            throw error;
          },
        );
  const policy: PolicyHolder | undefined = runtime?.holder ?? options.policy;
  if (policy === undefined) throw new EnforcerError("give the enforcer exactly one of policyDir and policy");
  const auditTopic = options.auditTopic ?? AUDIT_TOPIC;
  const stats: EnforcerStats = { records: 0, forwarded: 0, quarantined: 0, audits: 0, batches: 0, abortedBatches: 0, oversized: 0 };
  await ensureTopics(options.kafka, [...(await topicsOf(options, auditTopic)), ...(flowIntervalMs > 0 ? [flowsTopicSpec(options.flowsTopic)] : [])]);
  const metrics = new EnforcerMetrics(options.telemetry ?? createTelemetry({ serviceName: "flowzone-enforcer" }));
  // The flows of the records routed, one reporter for the process (reporter id enforcer-<random>).
  const flows = startFlowReporter({
    kafka: options.kafka,
    topic: options.flowsTopic,
    intervalMs: flowIntervalMs,
    logger: options.logger,
    enforcementPoint: "stream_enforcer",
    reporter: `enforcer-${randomBytes(6).toString("hex")}`,
    policyVersion: () => policy.current.version,
  });
  const unobserveFlows = flows === undefined ? undefined : observeFlowReports(metrics.telemetry, "enforcer", () => flows.stats());

  const workers = options.routes.map(
    (route) =>
      new RouteWorker({
        kafka: options.kafka,
        route,
        policy,
        auditTopic,
        sessionTimeoutMs: options.sessionTimeoutMs ?? ENFORCER_DEFAULTS.sessionTimeoutMs,
        transactionTimeoutMs: options.transactionTimeoutMs ?? ENFORCER_DEFAULTS.transactionTimeoutMs,
        partitionsConcurrently: options.partitionsConcurrently ?? ENFORCER_DEFAULTS.partitionsConcurrently,
        fromBeginning: options.fromBeginning ?? ENFORCER_DEFAULTS.fromBeginning,
        transactionalIdPrefix: options.transactionalIdPrefix ?? ENFORCER_DEFAULTS.transactionalIdPrefix,
        deliveryGuarantee,
        stats,
        metrics,
        flows,
        logger,
        onFatal:
          options.onFatal ??
          ((error: unknown) => {
            logger.error({ err: error }, "a route stopped; restart the enforcer");
          }),
      }),
  );
  const health = () => enforcerHealth(policy.current.version, options.controlTopic?.(), workers.map((worker) => worker.health()));
  let metricsServer: MetricsServer | undefined;
  const certificates = options.metricsPort === undefined || options.metricsTls === undefined ? undefined : ServerCertificates.watch(options.metricsTls, { logger: logger.child({ component: "tls" }) });
  try {
    await Promise.all(workers.map((worker) => worker.start()));
    if (options.metricsPort !== undefined) {
      metricsServer = await serveMetricsIfPossible(metrics.telemetry, { host: options.metricsHost ?? "127.0.0.1", port: options.metricsPort, logger, probes: healthProbes(health), token: options.metricsToken, tls: certificates });
    }
  } catch (error) {
    certificates?.close();
    await Promise.allSettled(workers.map((worker) => worker.close()));
    unobserveFlows?.();
    await flows?.close();
    await runtime?.close();
    throw error;
  }
  logger.info({ routes: options.routes.map((r) => r.name), policyVersion: policy.current.version, auditTopic }, "enforcer started");

  return {
    policyVersion: () => policy.current.version,
    stats: () => ({ ...stats }),
    health,
    metricsPort: metricsServer?.port,
    async close() {
      await Promise.allSettled(workers.map((worker) => worker.close()));
      // After the workers: the last committed chunks' flows are in the final window.
      unobserveFlows?.();
      await flows?.close();
      await runtime?.close();
      await metricsServer?.close();
      certificates?.close();
      logger.info({ ...stats }, "enforcer stopped");
    },
  };
}

/** The delivery guarantee, checked at run time too: JavaScript callers and configs pass plain strings. */
function deliveryGuaranteeOf(options: EnforcerOptions): DeliveryGuarantee {
  const given: string = options.deliveryGuarantee ?? ENFORCER_DEFAULTS.deliveryGuarantee;
  if (given === "exactly-once" || given === "at-least-once") return given;
  throw new EnforcerError(`deliveryGuarantee must be "exactly-once" or "at-least-once", got "${given}"`);
}


/** Outputs and quarantines get their source's partition count; the audit topic one partition. */
async function topicsOf(options: EnforcerOptions, auditTopic: string): Promise<TopicSpec[]> {
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const sources = [...new Set(options.routes.map((r) => r.from))];
    const metadata = await admin.fetchTopicMetadata({ topics: sources }).catch((error: unknown) => {
      throw new EnforcerError(`cannot read the source topics ${sources.join(", ")} (do they exist?): ${error instanceof Error ? error.message : String(error)}`);
    });
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const specs: TopicSpec[] = [auditTopicSpec(auditTopic, options.auditRetentionMs)];
    for (const route of options.routes) {
      const count = partitions.get(route.from) ?? 1;
      if (route.to !== undefined) specs.push({ topic: route.to, partitions: count });
      if (route.quarantine !== undefined) specs.push({ topic: route.quarantine, partitions: count });
    }
    return specs.filter((spec, index) => specs.findIndex((s) => s.topic === spec.topic) === index);
  } finally {
    await admin.disconnect();
  }
}
