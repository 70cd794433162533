import path from "node:path";

import * as grpc from "@grpc/grpc-js";
import { AuditWriter } from "@flowzone/audit";
import { addReflection, createHealth, listen, serverCredentials, serviceDefinition, shutdownGracefully } from "@flowzone/grpc-kit";
import { startFlowReporter } from "@flowzone/flow-report";
import { auditTopicSpec, createKafka, ensureTopics, flowsTopicSpec } from "@flowzone/kafka";
import { startPolicyRuntime } from "@flowzone/policy-runtime";
import { ServerCertificates, StopList, tlsMode } from "@flowzone/service-kit";
import { createTelemetry, DecisionMetrics, healthProbes, observeAuditTrail, observeControlRejections, observeFlowReports, serveMetricsIfPossible, type MetricsServer } from "@flowzone/telemetry";
import { decisionService, decisionServiceFile } from "./convert";
import { DecisionIds } from "./decision-ids";
import { DEFAULTS } from "./defaults";
import { decisionHandlers } from "./handlers";
import { producerIdentity } from "./producer-identity";
import { healthReport } from "./health-report";
import type { DecisionServiceOptions, RunningDecisionService } from "./options";
import { TrafficReporter } from "./traffic-reporter";
import { validateOptions } from "./validate-options";
import { DECISION_CODECS } from "./wire-codec";

/** How long close() gives the audit trail to send what it holds before spooling the rest. */
const AUDIT_CLOSE_MS = 5_000;

/** How often gRPC health follows the health report between events: whether the audit spool writes has no event. */
const HEALTH_POLL_MS = 1_000;

/** Grace for in-flight calls when `close()` is given none. */
const DEFAULT_CLOSE_GRACE_MS = 10_000;

/**
 * Starts the decision service: loads the bundle (refusing to start on any error, all of them
 * listed as `file:line: message`), serves DecisionService, health and reflection, and hot-reloads
 * the bundle when its files change. With Kafka brokers it also follows the control topic (pushed
 * bundles, zone flips, exceptions), writes one audit record per violation and reports per-zone
 * decision counts. Resolves once the server is bound.
 *
 * Kafka need not answer at start: the service then answers under the directory's bundle, spools
 * its audit records, and reports NOT_SERVING (and 503 on `/readyz`) until it has read the control
 * topic once, which it retries in the background; the audit topic is created on the same attempt.
 * Without brokers it is SERVING at once, and its health says that audit and flips are off.
 *
 * A start that fails part way stops what it had started (file watchers, the policy runtime, the
 * audit trail, listeners) before it rejects.
 *
 * @throws FlowzoneError `invalid_config` for impossible options, BundleDirError for an unreadable policy directory,
 *   PolicyLoadError for a broken bundle, and an Error naming the address when it cannot bind.
 */
export async function startDecisionService(options: DecisionServiceOptions): Promise<RunningDecisionService> {
  validateOptions(options);
  const { policyDir, limits } = options;
  const logger = options.logger.child({ component: "pdp" });
  // What is started is stopped in reverse order, on close and on a start that fails half way:
  // a failed start leaves no file watcher, consumer or listener behind.
  const stops = new StopList((error) => {
    logger.warn({ err: error }, "a part of the decision service did not stop cleanly");
  });
  return stops.starting(async () => {
    // Who callers are (mTLS, bearer tokens) and for whom they may speak; read before anything is opened, then re-read on change.
    const identity = producerIdentity({ identitiesFile: options.identitiesFile, clientCertificates: options.tls?.clientCaFile !== undefined, tls: options.tls !== undefined }, logger);
    if (identity !== undefined) stops.add(stopping(() => { identity.close(); }));
    // First, so a bad certificate file stops the start before anything else is opened.
    const certificates = options.tls === undefined ? undefined : ServerCertificates.watch(options.tls, { logger: logger.child({ component: "tls" }) });
    if (certificates !== undefined) stops.add(stopping(() => { certificates.close(); }));

    const brokers = options.brokers ?? [];
    const kafka = brokers.length > 0 ? createKafka({ brokers, clientId: "flowzone-pdp", logger: options.logger, config: options.kafkaConfig }) : undefined;
    if (kafka === undefined) logger.warn("no Kafka brokers: violations are answered but not audited, flows are not reported, and the control topic is not followed");
    const reportsFlows = kafka !== undefined && options.flowReportIntervalMs !== 0;
    const topics = [auditTopicSpec(options.auditTopic, options.auditRetentionMs), ...(reportsFlows ? [flowsTopicSpec(options.flowsTopic)] : [])];
    const runtime = await startPolicyRuntime({
      policyDir,
      reloadIntervalMs: options.reloadIntervalMs,
      logger: options.logger,
      ...(kafka === undefined
        ? {}
        : { kafka, controlTopicAtStart: "optional" as const, prepareKafka: () => ensureTopics(kafka, topics) }),
      ...(options.controlTopic === undefined ? {} : { controlTopic: options.controlTopic }),
      controlVerifyKeys: options.controlVerifyKeys,
    });
    stops.add(() => runtime.close());
    const policy = runtime.holder;
    const audit =
      kafka === undefined
        ? undefined
        : await AuditWriter.start({
            kafka,
            logger: options.logger,
            spoolDir: options.auditSpoolDir ?? path.join(DEFAULTS.auditSpoolRoot, `pdp-${options.port === 0 ? process.pid : options.port}`),
            ...(options.auditTopic === undefined ? {} : { topic: options.auditTopic }),
            ...(options.auditFsync === undefined ? {} : { fsync: options.auditFsync }),
          });
    if (audit !== undefined) stops.add(() => audit.close(AUDIT_CLOSE_MS));
    const health = () => healthReport(policy.current.version, runtime.controlTopic(), runtime.controlRejections(), audit?.stats());
    const telemetry = options.telemetry ?? createTelemetry({ serviceName: "flowzone-pdp" });
    const metrics = new DecisionMetrics(telemetry);
    const unobserveAudit = audit === undefined ? undefined : observeAuditTrail(telemetry, "decision_service", () => audit.stats());
    if (unobserveAudit !== undefined) stops.add(stopping(unobserveAudit));
    stops.add(stopping(observeControlRejections(telemetry, "decision_service", () => runtime.controlRejections().byReason)));
    const ids = new DecisionIds();
    const traffic = audit === undefined ? undefined : new TrafficReporter(audit, runtime, `pdp-${ids.prefix}`, options.trafficIntervalMs ?? DEFAULTS.trafficIntervalMs);
    if (traffic !== undefined) stops.add(stopping(() => { traffic.close(); }));
    // Each decided write's flow, reported every few seconds; closed after the server, so the last calls' flows are sent.
    const flows = kafka === undefined ? undefined : startFlowReporter({ kafka, topic: options.flowsTopic, intervalMs: options.flowReportIntervalMs, logger: options.logger, enforcementPoint: "decision_service", reporter: `pdp-${ids.prefix}`, policyVersion: () => policy.current.version });
    if (flows !== undefined) {
      stops.add(() => flows.close());
      stops.add(stopping(observeFlowReports(telemetry, "decision_service", () => flows.stats())));
    }

    const server = new grpc.Server({
      "grpc.max_receive_message_length": limits.maxMessageBytes,
      "grpc.max_send_message_length": limits.maxMessageBytes,
    });
    server.addService(serviceDefinition(decisionService, DECISION_CODECS), decisionHandlers({ policy, ids, limits, logger, audit, flows, metrics, authenticator: identity?.authenticator }));
    const grpcHealth = createHealth([decisionService.typeName]);
    grpcHealth.addToServer(server);
    addReflection(server, [decisionServiceFile]);

    // On close the server has already shut down gracefully; this is for a start that fails below.
    stops.add(stopping(() => { server.forceShutdown(); }));
    await options.heldPorts?.release(options.host, options.port);
    const port = await listen(server, options.host, options.port, serverCredentials(certificates));
    const metricsServer: MetricsServer | undefined =
      options.metricsPort === undefined ? undefined : await serveMetricsIfPossible(telemetry, { host: options.host, port: options.metricsPort, logger, probes: healthProbes(health), token: options.metricsToken, tls: certificates });
    if (metricsServer !== undefined) stops.add(() => metricsServer.close());

    let closing: Promise<void> | undefined;
    // gRPC health says what the health report says: ready at once without Kafka (nothing more to
    // read), with it once the control topic has been read, and while the audit spool writes.
    const readiness = grpcHealth.follow(() => health().status === "ready", HEALTH_POLL_MS);
    runtime.onControlTopicRead(readiness.refresh);

    logger.info({ host: options.host, port, tls: tlsMode(certificates), policyDir, policyVersion: policy.current.version, ready: health().status === "ready" }, "decision service listening");

    return {
      port,
      metricsPort: metricsServer?.port,
      policyVersion: () => policy.current.version,
      reload: () => runtime.reload(),
      health,
      close: (graceMs = DEFAULT_CLOSE_GRACE_MS) => {
        closing ??= (async () => {
          readiness.stop();
          const forced = await shutdownGracefully(server, { graceMs, health: grpcHealth });
          await stops.stopAll();
          logger.info({ forced }, "decision service stopped");
        })();
        return closing;
      },
    };
  });
}

/** A synchronous stop, as the StopList takes them. */
function stopping(stop: () => void): () => Promise<void> {
  return () => {
    stop();
    return Promise.resolve();
  };
}
