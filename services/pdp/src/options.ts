import type { ControlVerifyKeys, KafkaClientConfig } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";
import type { PortRelease, ServerTlsFiles } from "@flowzone/service-kit";
import type { Telemetry } from "@flowzone/telemetry";
import type { DecisionServiceHealth } from "./health-report";
import type { Limits } from "./limits";

/** Everything the decision service needs; `decisionServiceConfig` builds it from flags and env. */
export interface DecisionServiceOptions {
  /** The policy bundle directory, read at start and polled for changes. */
  readonly policyDir: string;
  readonly host: string;
  /** 0 picks a free port; the bound one is in `RunningDecisionService.port` and the log. */
  readonly port: number;
  /**
   * `FLOWZONE_TLS_CERT` / `KEY` / `CLIENT_CA`: given, gRPC and `/metrics` serve TLS (certificates
   * re-read when their files change), and with a client CA gRPC requires client certificates.
   */
  readonly tls?: ServerTlsFiles | undefined;
  /** The port, held since before the process opened connections (`flowzone dev`); released just before it is bound. */
  readonly heldPorts?: PortRelease | undefined;
  /**
   * `FLOWZONE_IDENTITIES`: bearer tokens, certificate mappings and speaksFor grants (see
   * docs/reference/grpc-api.md#producer-identity). With it or with a client CA, callers are
   * authenticated and may claim only the producers they speak for; with neither, any caller may
   * claim any producer (and a warning says so).
   */
  readonly identitiesFile?: string | undefined;
  readonly reloadIntervalMs: number;
  readonly limits: Limits;
  readonly logger: Logger;
  /**
   * Kafka brokers (`host:port`). With them the service writes the audit trail and follows the
   * control topic, and starts even while they do not answer (it spools and is not ready until
   * it has read the control topic); without them it only answers (no audit, no runtime flips),
   * and says so in its log and its health.
   */
  readonly brokers?: readonly string[] | undefined;
  /** TLS and SASL of its Kafka clients (`FLOWZONE_KAFKA_CONFIG`); unset, plaintext. */
  readonly kafkaConfig?: KafkaClientConfig | undefined;
  /**
   * `FLOWZONE_CONTROL_VERIFY_KEYS`: given, only control records signed by one of these keys apply;
   * the others are logged, counted and shown in the health answer. Unset, every record applies.
   */
  readonly controlVerifyKeys?: ControlVerifyKeys | undefined;
  /** Disk spool of the audit trail while Kafka is unreachable; one service per directory. */
  readonly auditSpoolDir?: string | undefined;
  /** How often per-zone decision counts go to the audit topic. */
  readonly trafficIntervalMs?: number | undefined;
  /**
   * Whether an answer waits for its audit records to reach the device (synchronized writes, group commit),
   * the default, or only for their write to the page cache, which survives the process but not
   * the machine. Programmatic only: bench:audit measures what the device flush costs with it.
   */
  readonly auditFsync?: boolean | undefined;
  /**
   * `FLOWZONE_FLOW_REPORT_INTERVAL_MS`: how often the flows decided go to the flows topic (default
   * 5000); 0 turns flow reporting off. Only with brokers.
   */
  readonly flowReportIntervalMs?: number | undefined;
  /** Topics; tests give their own. */
  readonly auditTopic?: string | undefined;
  /** `FLOWZONE_AUDIT_RETENTION_MS`: the audit topic's `retention.ms` if this service creates it (default -1, kept forever). */
  readonly auditRetentionMs?: number | undefined;
  /** Default `flowzone.flows.v1`. */
  readonly flowsTopic?: string | undefined;
  readonly controlTopic?: string | undefined;
  /**
   * The process's metrics registry; `flowzone dev` shares one between its services. Without it the
   * service makes its own (serviceName `flowzone-pdp`).
   */
  readonly telemetry?: Telemetry | undefined;
  /**
   * With a port (`FLOWZONE_METRICS_PORT`, default 9464; 0 picks a free one) the service serves its
   * registry on `GET /metrics` and its health on `GET /healthz` and `GET /readyz` at `host`;
   * without one it serves none (the caller does, as dev does; `health()` still answers).
   */
  readonly metricsPort?: number | undefined;
  /** The bearer token `GET /metrics` then requires (`FLOWZONE_METRICS_TOKEN_FILE`); `/healthz` and `/readyz` stay open. */
  readonly metricsToken?: string | undefined;
}

/** A started decision service. */
export interface RunningDecisionService {
  /** The bound port (useful when started with port 0). */
  readonly port: number;
  /** The bound metrics port, or undefined when the service serves no `/metrics` of its own. */
  readonly metricsPort: number | undefined;
  /** The version of the policy deciding requests right now. */
  policyVersion(): string;
  /** Reads and applies the bundle now, as the watcher would on a change (tests use it to skip the wait). */
  reload(): Promise<void>;
  /** Whether it is ready, and the state of its audit trail and control topic (what `/healthz` answers). */
  health(): DecisionServiceHealth;
  /** Stops taking calls, lets in-flight ones (open streams too) finish for `graceMs`, then cuts them off. */
  close(graceMs?: number): Promise<void>;
}
