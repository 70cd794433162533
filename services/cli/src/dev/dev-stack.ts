import path from "node:path";

import { startControl } from "@flowzone/control-service";
import { startEnforcerService } from "@flowzone/enforcer";
import type { KafkaClientConfig } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { DEFAULTS as PDP_DEFAULTS, startDecisionService } from "@flowzone/pdp";
import { PortHold, ServerCertificates, StopList, type RunningService, type ServerTlsFiles } from "@flowzone/service-kit";
import { createTelemetry, serveMetrics } from "@flowzone/telemetry";

import { devControlKeys } from "./dev-control-keys";
import { kafkaFor } from "./kafka-for";
import { securedKafkaFor } from "./secured-kafka-for";

/** How long a start waits for a port a connection holds: a closed one stays in TIME_WAIT for 60 s. */
const PORT_WAIT_MS = 75_000;

/** What `flowzone dev` runs; every default is in the command's settings, none here. */
export interface DevStackOptions {
  readonly policyDir: string;
  readonly routesFile: string;
  /** Working folder for the local broker, PGlite and spools, e.g. `.flowzone`. */
  readonly home: string;
  readonly brokers: readonly string[] | undefined;
  /** TLS and SASL of every Kafka client (`FLOWZONE_KAFKA_CONFIG`); unset, plaintext. */
  readonly kafkaConfig: KafkaClientConfig | undefined;
  /** Runs kafka-local's secured broker (SASL_SSL, SCRAM, ACLs) and each service as its principal; no brokers or kafkaConfig then. */
  readonly secure: boolean;
  readonly databaseUrl: string | undefined;
  readonly host: string;
  readonly pdpPort: number;
  readonly controlHttpPort: number;
  readonly controlGrpcPort: number;
  /** `/metrics` of the whole process (the control plane's `GET /metrics` shows the same registry). */
  readonly metricsPort: number;
  readonly tokensFile: string | undefined;
  /** The audit topic's `retention.ms` when this stack creates it (`FLOWZONE_AUDIT_RETENTION_MS`, default -1: kept forever). */
  readonly auditRetentionMs: number;
  /** How often the decision service and the enforcer report the flows they decided; undefined: their default (5 s), 0: off. */
  readonly flowReportIntervalMs: number | undefined;
  /** `FLOWZONE_TLS_CERT` / `KEY` / `CLIENT_CA`: every listener of the process serves TLS (gRPC with mTLS under a client CA). */
  readonly tls: ServerTlsFiles | undefined;
  readonly logger: Logger;
  readonly onProgress: (line: string) => void;
}

/** A running local flowzone. */
export interface DevStack extends RunningService {
  readonly brokers: readonly string[];
  readonly database: string;
  readonly pdpPort: number;
  readonly controlHttpPort: number;
  readonly controlGrpcPort: number;
  readonly metricsPort: number;
  /** Whether the listeners serve TLS. */
  readonly tls: boolean;
  readonly routes: readonly string[];
  /** With `secure`: the client properties files of the broker's producer and admin principals. */
  readonly clientProperties: { readonly producer: string; readonly admin: string } | undefined;
}

/**
 * Starts flowzone on one machine with the same entry points `flowzone control`, `pdp` and
 * `enforcer` use: Kafka (given, or a local broker), the control plane (PostgreSQL given, or
 * embedded PGlite), the decision service and the stream enforcer, in the order they depend on
 * each other, all on one stop list. Control records are signed and verified with a key pair of
 * its own under `home` ({@link devControlKeys}). A part that fails to start stops the ones before it; a part
 * that fails later settles `failed`.
 */
export function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const stops = new StopList((error) => {
    options.logger.warn({ err: error }, "a part did not stop cleanly");
  });
  return stops.starting(async () => {
    // Before the broker and any connection: a client connection may otherwise take a port the
    // services listen on later (gRPC's 50051 and 50052 lie in Linux's ephemeral range).
    const heldPorts = await PortHold.take(
      [
        { host: options.host, port: options.metricsPort, name: "metrics (FLOWZONE_METRICS_PORT)" },
        { host: options.host, port: options.controlHttpPort, name: "the control plane's HTTP API (FLOWZONE_CONTROL_PORT)" },
        { host: options.host, port: options.controlGrpcPort, name: "the control plane's gRPC API (FLOWZONE_CONTROL_GRPC_PORT)" },
        { host: options.host, port: options.pdpPort, name: "the decision service (FLOWZONE_PDP_PORT)" },
      ],
      { waitMs: PORT_WAIT_MS, onWaiting: options.onProgress },
    );
    stops.add(() => heldPorts.close());
    // One metrics registry for the process: every service records into it, one listener serves it.
    const telemetry = createTelemetry({ serviceName: "flowzone-dev" });
    stops.add(() => telemetry.shutdown());
    const certificates = options.tls === undefined ? undefined : ServerCertificates.watch(options.tls, { logger: options.logger.child({ component: "tls" }) });
    if (certificates !== undefined) {
      stops.add(() => {
        certificates.close();
        return Promise.resolve();
      });
    }
    await heldPorts.release(options.host, options.metricsPort);
    const metricsServer = await serveMetrics(telemetry, { host: options.host, port: options.metricsPort, logger: options.logger, tls: certificates });
    stops.add(() => metricsServer.close());
    const secured = options.secure ? await securedKafkaFor(stops, options.home, options.onProgress, options.logger) : undefined;
    const brokers = secured?.brokers ?? (await kafkaFor(stops, options.brokers, options.home, options.onProgress, options.logger));
    const common = { brokers, logger: options.logger, telemetry };
    const decisionConfig = secured?.decision ?? options.kafkaConfig;
    // Control records signed by the control plane, verified by the decision service and the enforcer.
    const controlKeys = devControlKeys(options.home, options.onProgress);

    options.onProgress(options.databaseUrl === undefined ? "starting the control plane on embedded PostgreSQL (PGlite)" : "starting the control plane");
    const control = await startControl({
      ...common,
      kafkaConfig: secured?.control ?? options.kafkaConfig,
      controlSigningKey: controlKeys.signingKey,
      home: options.home,
      databaseUrl: options.databaseUrl,
      policyDir: options.policyDir,
      // The enforcer's routes, so `flowzone quarantine redrive ROUTE` works on the dev stack.
      routesFile: options.routesFile,
      auditRetentionMs: options.auditRetentionMs,
      host: options.host,
      httpPort: options.controlHttpPort,
      grpcPort: options.controlGrpcPort,
      tokensFile: options.tokensFile,
      tls: options.tls,
      heldPorts,
    });
    stops.add(() => control.stop());

    options.onProgress("starting the decision service");
    const pdp = await startDecisionService({
      ...common,
      kafkaConfig: decisionConfig,
      controlVerifyKeys: controlKeys.verifyKeys,
      policyDir: options.policyDir,
      host: options.host,
      port: options.pdpPort,
      tls: options.tls,
      heldPorts,
      reloadIntervalMs: PDP_DEFAULTS.reloadIntervalMs,
      limits: PDP_DEFAULTS.limits,
      auditSpoolDir: path.join(options.home, "spool", "pdp"),
      auditRetentionMs: options.auditRetentionMs,
      flowReportIntervalMs: options.flowReportIntervalMs,
    });
    stops.add(() => pdp.close());

    options.onProgress("starting the stream enforcer");
    const enforcer = await startEnforcerService({
      ...common,
      kafkaConfig: decisionConfig,
      controlVerifyKeys: controlKeys.verifyKeys,
      policyDir: options.policyDir,
      routesFile: options.routesFile,
      metricsPort: undefined,
      auditTopic: undefined,
      auditRetentionMs: options.auditRetentionMs,
      flowsTopic: undefined,
      flowReportIntervalMs: options.flowReportIntervalMs,
      controlTopic: undefined,
      sessionTimeoutMs: undefined,
      createSourceTopics: true,
    });
    stops.add(() => enforcer.stop());

    return {
      brokers,
      database: control.database,
      pdpPort: pdp.port,
      tls: certificates !== undefined,
      controlHttpPort: control.httpPort,
      controlGrpcPort: control.grpcPort,
      metricsPort: metricsServer.port,
      routes: enforcer.routes,
      clientProperties: secured === undefined ? undefined : { producer: secured.producerProperties, admin: secured.adminProperties },
      failed: Promise.race([control.failed, enforcer.failed]),
      stop: () => stops.stopAll(),
    };
  });
}
