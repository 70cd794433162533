import type { ControlPlane } from "@flowzone/control";
import type { Logger } from "@flowzone/logging";
import type { PortRelease, ServerTlsFiles } from "@flowzone/service-kit";
import type { Telemetry } from "@flowzone/telemetry";
import type { ApiToken } from "./api-token";
import type { QuarantineRedrive } from "./quarantine-redrive";

/**
 * Everything the control service's transports need. `controlConfig` gives host, ports and
 * `tokensFile`; the caller adds the facade and the logger.
 */
export interface ControlServiceOptions {
  readonly controlPlane: ControlPlane;
  readonly host: string;
  /** 0 picks a free port; the bound one is in `RunningControlService.httpPort` and the log. */
  readonly httpPort: number;
  /** 0 picks a free port; the bound one is in `RunningControlService.grpcPort` and the log. */
  readonly grpcPort: number;
  /**
   * The bearer tokens, given directly (tests, embedding). With neither this nor `tokensFile`
   * the API is open (actor "anonymous") and a WARN line says so at start.
   */
  readonly tokens?: readonly ApiToken[] | undefined;
  /** The token file to read at start (`FLOWZONE_TOKENS`); exclusive with `tokens`. */
  readonly tokensFile?: string | undefined;
  /** The bearer token `GET /metrics` requires (`FLOWZONE_METRICS_TOKEN_FILE`); unset, `/metrics` is open. Probes stay open. */
  readonly metricsToken?: string | undefined;
  /**
   * `FLOWZONE_TLS_CERT` / `KEY` / `CLIENT_CA`: given, the HTTP API serves HTTPS and ZoneService
   * TLS (certificates re-read when their files change); with a client CA, ZoneService requires
   * client certificates (the HTTP API keeps authenticating by bearer token).
   */
  readonly tls?: ServerTlsFiles | undefined;
  readonly logger: Logger;
  /** Whether `/readyz` answers 200 and gRPC health is SERVING; default: once listening. */
  readonly isReady?: (() => boolean) | undefined;
  /** This replica's name and whether it leads its store, shown by `/readyz`; unset, `/readyz` shows neither. */
  readonly leadership?: (() => ReplicaLeadership) | undefined;
  /** Largest HTTP body or gRPC message; default 5 MiB. */
  readonly maxBodyBytes?: number | undefined;
  /** The clock that decides whether an `expiresAt` is in the past; default the system clock. */
  readonly now?: (() => Date) | undefined;
  /**
   * The process's metrics registry, rendered at `GET /metrics` (`flowzone dev` shares one with the
   * decision service and the enforcer); default: the control service's own.
   */
  readonly telemetry?: Telemetry | undefined;
  /** Re-drives quarantined records (`POST /v1/routes/{route}/redrive`); undefined, that endpoint answers 409. */
  readonly redrive?: QuarantineRedrive | undefined;
  /** Ports held for these listeners since before the process opened connections (`flowzone dev`); each is released just before it is bound. */
  readonly heldPorts?: PortRelease | undefined;
}

/** One replica's part in the leadership of its store. */
export interface ReplicaLeadership {
  readonly replica: string;
  /** Whether it runs the work that must happen once per store (outbox publisher, consumers, ticks). */
  readonly leader: boolean;
}

/** A started control service. */
export interface RunningControlService {
  /** The bound HTTP port (useful when started with port 0). */
  readonly httpPort: number;
  /** The bound gRPC port (useful when started with port 0). */
  readonly grpcPort: number;
  /** Stops taking requests, lets in-flight ones finish for `graceMs`, then cuts them off. */
  close(graceMs?: number): Promise<void>;
}
