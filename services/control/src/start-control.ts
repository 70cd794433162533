import path from "node:path";

import { openDatabase, startControlPlane, type ControlPlane } from "@flowzone/control";
import { readRoutesFile } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { fatalSignal, StopList, type PortRelease, type RunningService } from "@flowzone/service-kit";
import { createTelemetry, type Telemetry } from "@flowzone/telemetry";

import type { ControlConfig } from "./config";
import { DEFAULTS } from "./defaults";
import { quarantineRedrive } from "./quarantine-redrive";
import { startControlService } from "./start-control-service";

/**
 * What {@link startControl} needs: the settings, with Kafka resolved to brokers. The store's
 * limits may be left out (`flowzone dev` does): the control plane's defaults apply.
 */
export interface ControlOptions extends Omit<ControlConfig, "brokers" | OptionalSetting>, Partial<Pick<ControlConfig, OptionalSetting>> {
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** The process's metrics registry (`flowzone dev` shares one); default: the service's own. */
  readonly telemetry?: Telemetry | undefined;
  /** Ports `flowzone dev` holds for the API until it binds them. */
  readonly heldPorts?: PortRelease | undefined;
}

/** Settings with a default in the control plane itself. */
type OptionalSetting = "replicaId" | "databaseConnectTimeoutMs" | "databaseStatementTimeoutMs" | "maxOpenSignaturesPerZone" | "flowsTopic" | "auditRetentionMs" | "flowRetentionDays" | "kafkaConfig" | "metricsToken" | "controlSigningKey" | "tls" | "routesFile";

/** A running control plane with its transports. */
export interface RunningControl extends RunningService {
  readonly controlPlane: ControlPlane;
  readonly httpPort: number;
  readonly grpcPort: number;
  /** Where the store lives, for the start-up banner: `PGlite in DIR` or `DATABASE_URL`. */
  readonly database: string;
}

/**
 * The control plane as one service, the way `flowzone control`, `flowzone dev` and the tests run
 * it: opens the store (PostgreSQL, or PGlite under `home`), the Kafka client, the control plane
 * (backlog, ticks, republished state) and its HTTP API and gRPC ZoneService. Everything opened is
 * on one stop list: a start that fails half way closes what it had opened. A backlog consumer that
 * stops for good settles `failed`: a control plane that no longer counts must not look healthy.
 */
export async function startControl(options: ControlOptions): Promise<RunningControl> {
  const stops = new StopList((error) => {
    options.logger.warn({ err: error }, "a part of the control plane did not stop cleanly");
  });
  const { failed, fail } = fatalSignal();
  // One registry for the control plane's own metrics (backlog, outbox, leadership) and the API's.
  const telemetry = options.telemetry ?? createTelemetry({ serviceName: "flowzone-control" });
  return stops.starting(async () => {
    // First: a broken routes file fails the start before the database and Kafka are opened.
    const routes = options.routesFile === undefined ? undefined : await readRoutesFile(options.routesFile);
    const pgliteDir = path.join(options.home, "pglite");
    const database = await openDatabase({
      databaseUrl: options.databaseUrl,
      dataDir: pgliteDir,
      connectTimeoutMs: options.databaseConnectTimeoutMs,
      statementTimeoutMs: options.databaseStatementTimeoutMs,
      logger: options.logger,
    });
    stops.add(() => database.close());
    const kafka = createKafka({ brokers: [...options.brokers], clientId: "flowzone-control", logger: options.logger, config: options.kafkaConfig });
    const plane = await startControlPlane({
      database,
      kafka,
      policyDir: options.policyDir,
      logger: options.logger,
      telemetry,
      maxOpenSignaturesPerZone: options.maxOpenSignaturesPerZone,
      flowsTopic: options.flowsTopic,
      auditRetentionMs: options.auditRetentionMs,
      flowRetentionMs: options.flowRetentionDays === undefined ? undefined : options.flowRetentionDays * 86_400_000,
      signingKey: options.controlSigningKey,
      replicaId: options.replicaId,
      onFatal: fail,
    });
    stops.add(() => plane.close());
    const service = await startControlService({
      controlPlane: plane.controlPlane,
      host: options.host,
      httpPort: options.httpPort,
      grpcPort: options.grpcPort,
      tokensFile: options.tokensFile,
      metricsToken: options.metricsToken,
      tls: options.tls,
      heldPorts: options.heldPorts,
      logger: options.logger,
      telemetry,
      leadership: () => ({ replica: plane.replicaId, leader: plane.isLeader() }),
      redrive:
        routes === undefined || options.routesFile === undefined
          ? undefined
          : quarantineRedrive({ kafka, routes, routesFile: options.routesFile, policyInForce: () => plane.service.policyInForce(), logger: options.logger, auditRetentionMs: options.auditRetentionMs }),
    });
    stops.add(() => service.close(DEFAULTS.closeGraceMs));
    return {
      controlPlane: plane.controlPlane,
      httpPort: service.httpPort,
      grpcPort: service.grpcPort,
      database: options.databaseUrl === undefined ? `PGlite in ${pgliteDir}` : "DATABASE_URL",
      failed,
      stop: () => stops.stopAll(),
    };
  });
}
