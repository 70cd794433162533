import path from "node:path";

import { openDatabase, startControlPlane, type Database, type RunningControlPlane } from "@flowzone/control";
import { startControlService, type RunningControlService } from "@flowzone/control-service";
import { readRoutesFile, startEnforcer, type RunningEnforcer } from "@flowzone/enforcer";
import { createKafka, ensureTopics } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { DEFAULTS as PDP_DEFAULTS, startDecisionService, type RunningDecisionService } from "@flowzone/pdp";
import { startPolicyRuntime, type PolicyRuntime } from "@flowzone/policy-runtime";
import { createTelemetry, serveMetrics } from "@flowzone/telemetry";

import { kafkaFor, type KafkaEndpoint } from "./kafka-for";
import { StopList } from "./stop-list";

/** What `flowzone dev` runs; every default is in the command, none here. */
export interface DevStackOptions {
  readonly policyDir: string;
  readonly routesFile: string;
  /** Working folder for the local broker, PGlite and spools, e.g. `.flowzone`. */
  readonly homeDir: string;
  readonly brokers: readonly string[] | undefined;
  readonly databaseUrl: string | undefined;
  readonly host: string;
  readonly pdpPort: number;
  readonly controlHttpPort: number;
  readonly controlGrpcPort: number;
  /** `/metrics` of the whole process (the control plane's `GET /metrics` shows the same registry). */
  readonly metricsPort: number;
  readonly tokensFile: string | undefined;
  readonly logger: Logger;
  readonly onProgress: (line: string) => void;
}

/** A running local flowzone. */
export interface DevStack {
  readonly brokers: readonly string[];
  readonly database: string;
  readonly pdpPort: number;
  readonly controlHttpPort: number;
  readonly controlGrpcPort: number;
  readonly metricsPort: number;
  readonly routes: readonly string[];
  /** Stops every part, the last started first. */
  stop(): Promise<void>;
}

/**
 * Starts flowzone on one machine: Kafka (given, or a local broker), PostgreSQL (given, or
 * embedded PGlite), the control plane, the decision service and the stream enforcer, in the
 * order they depend on each other. A part that fails to start stops the ones before it.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const stops = new StopList((error) => {
    options.logger.warn({ err: error }, "a part did not stop cleanly");
  });
  // One metrics registry for the process: every service records into it, one listener serves it.
  const telemetry = createTelemetry({ serviceName: "flowzone-dev" });
  stops.add(() => telemetry.shutdown());
  try {
    const metricsServer = await serveMetrics(telemetry, { host: options.host, port: options.metricsPort, logger: options.logger });
    stops.add(() => metricsServer.close());
    const endpoint: KafkaEndpoint = await kafkaFor(options.brokers, options.homeDir, options.onProgress);
    if (endpoint.local !== undefined) {
      const local = endpoint.local;
      stops.add(() => local.stop());
    }
    const kafka = createKafka({ brokers: endpoint.brokers, clientId: "flowzone-dev", logger: options.logger });

    options.onProgress(options.databaseUrl === undefined ? "opening embedded PostgreSQL (PGlite)" : "connecting to PostgreSQL");
    const pgliteDir = path.join(options.homeDir, "pglite");
    const database: Database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: pgliteDir });
    stops.add(() => database.close());

    options.onProgress("starting the control plane");
    const control: RunningControlPlane = await startControlPlane({ database, kafka, policyDir: options.policyDir, logger: options.logger, telemetry });
    stops.add(() => control.close());
    const controlService: RunningControlService = await startControlService({
      controlPlane: control.controlPlane,
      host: options.host,
      httpPort: options.controlHttpPort,
      grpcPort: options.controlGrpcPort,
      tokensFile: options.tokensFile,
      logger: options.logger,
      telemetry,
    });
    stops.add(() => controlService.close());

    options.onProgress("starting the decision service");
    const pdp: RunningDecisionService = await startDecisionService({
      policyDir: options.policyDir,
      host: options.host,
      port: options.pdpPort,
      reloadIntervalMs: PDP_DEFAULTS.reloadIntervalMs,
      limits: PDP_DEFAULTS.limits,
      logger: options.logger,
      brokers: endpoint.brokers,
      auditSpoolDir: path.join(options.homeDir, "spool", "pdp"),
      telemetry,
    });
    stops.add(() => pdp.close());

    options.onProgress("starting the stream enforcer");
    const routes = await readRoutesFile(options.routesFile);
    await ensureTopics(kafka, routes.map((route) => ({ topic: route.from })));
    const runtime: PolicyRuntime = await startPolicyRuntime({ policyDir: options.policyDir, reloadIntervalMs: PDP_DEFAULTS.reloadIntervalMs, logger: options.logger, kafka });
    stops.add(() => runtime.close());
    const enforcer: RunningEnforcer = await startEnforcer({ kafka, routes, policy: runtime.holder, logger: options.logger, telemetry });
    stops.add(() => enforcer.close());

    return {
      brokers: endpoint.brokers,
      database: options.databaseUrl === undefined ? `PGlite in ${pgliteDir}` : "DATABASE_URL",
      pdpPort: pdp.port,
      controlHttpPort: controlService.httpPort,
      controlGrpcPort: controlService.grpcPort,
      metricsPort: metricsServer.port,
      routes: routes.map((route) => `${route.name}: ${route.from} -> ${route.to ?? "(observe only)"}`),
      stop: () => stops.stopAll(),
    };
  } catch (error) {
    await stops.stopAll();
    throw error;
  }
}
