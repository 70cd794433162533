import { createKafka, ensureTopics } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import { startPolicyRuntime } from "@flowzone/policy-runtime";
import { fatalSignal, StopList, type RunningService } from "@flowzone/service-kit";
import { createTelemetry, observeControlRejections, type Telemetry } from "@flowzone/telemetry";

import { readRoutesFile, type EnforcerConfig } from "./config";
import { startEnforcer } from "./enforcer";
import { ENFORCER_DEFAULTS, type EnforcerStats } from "./options";

/** What {@link startEnforcerService} needs: the settings, with Kafka resolved to brokers. */
export interface EnforcerServiceOptions
  extends Omit<EnforcerConfig, "brokers" | "home" | "metricsPort" | "metricsHost" | "metricsToken" | "kafkaConfig" | "controlVerifyKeys" | "tls">,
    Partial<Pick<EnforcerConfig, "kafkaConfig" | "metricsHost" | "metricsToken" | "controlVerifyKeys" | "tls">> {
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** The process's metrics registry (`flowzone dev` shares one and serves it; then give no metricsPort). */
  readonly telemetry?: Telemetry | undefined;
  /** undefined serves no `/metrics` of the enforcer's own. */
  readonly metricsPort: number | undefined;
  /** Creates the routes' source topics that do not exist yet (`flowzone dev`, on a broker of its own); default false. */
  readonly createSourceTopics?: boolean;
}

/** A running stream enforcer. */
export interface RunningEnforcerService extends RunningService {
  readonly routes: readonly string[];
  stats(): EnforcerStats;
}

/**
 * The stream enforcer as one service, the way `flowzone enforcer`, `flowzone dev` and the tests
 * run it: reads the routes, follows the bundle directory and the control topic (pushed bundles,
 * flips, exceptions) and routes every record. A route that stops for good settles `failed`, so
 * the process stops and exits non-zero for its supervisor to restart it.
 */
export async function startEnforcerService(options: EnforcerServiceOptions): Promise<RunningEnforcerService> {
  const stops = new StopList((error) => {
    options.logger.warn({ err: error }, "a part of the enforcer did not stop cleanly");
  });
  const { failed, fail } = fatalSignal();
  return stops.starting(async () => {
    const routes = await readRoutesFile(options.routesFile);
    const kafka = createKafka({ brokers: [...options.brokers], clientId: "flowzone-enforcer", logger: options.logger, config: options.kafkaConfig });
    if (options.createSourceTopics === true) await ensureTopics(kafka, routes.map((route) => ({ topic: route.from })));
    const runtime = await startPolicyRuntime({
      policyDir: options.policyDir,
      reloadIntervalMs: ENFORCER_DEFAULTS.reloadIntervalMs,
      logger: options.logger,
      kafka,
      ...(options.controlTopic === undefined ? {} : { controlTopic: options.controlTopic }),
      controlVerifyKeys: options.controlVerifyKeys,
    });
    stops.add(() => runtime.close());
    const telemetry = options.telemetry ?? createTelemetry({ serviceName: "flowzone-enforcer" });
    const unobserveRejections = observeControlRejections(telemetry, "enforcer", () => runtime.controlRejections().byReason);
    stops.add(() => {
      unobserveRejections();
      return Promise.resolve();
    });
    const enforcer = await startEnforcer({
      kafka,
      routes,
      policy: runtime.holder,
      controlTopic: () => runtime.controlTopic(),
      logger: options.logger,
      telemetry,
      ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
      ...(options.metricsHost === undefined ? {} : { metricsHost: options.metricsHost }),
      ...(options.metricsToken === undefined ? {} : { metricsToken: options.metricsToken }),
      ...(options.tls === undefined ? {} : { metricsTls: options.tls }),
      ...(options.auditTopic === undefined ? {} : { auditTopic: options.auditTopic }),
      auditRetentionMs: options.auditRetentionMs,
      ...(options.flowsTopic === undefined ? {} : { flowsTopic: options.flowsTopic }),
      ...(options.flowReportIntervalMs === undefined ? {} : { flowReportIntervalMs: options.flowReportIntervalMs }),
      ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
      onFatal: (error) => {
        options.logger.fatal({ err: error }, "a route stopped for good; stopping the enforcer");
        fail(error);
      },
    });
    stops.add(() => enforcer.close());
    return {
      routes: routes.map((route) => `${route.name}: ${route.from} -> ${route.to ?? "(observe only)"}`),
      stats: () => enforcer.stats(),
      failed,
      stop: () => stops.stopAll(),
    };
  });
}
