import * as grpc from "@grpc/grpc-js";
import { addReflection, createHealth, listen, serverCredentials, serviceDefinition, shutdownGracefully } from "@flowzone/grpc-kit";
import { invalidSetting, ServerCertificates, tlsMode, type WebServer } from "@flowzone/service-kit";
import { createTelemetry, MetricsToken } from "@flowzone/telemetry";
import type { ApiToken } from "./api-token";
import { Authenticator } from "./authenticator";
import { DEFAULTS } from "./defaults";
import { zoneService, zoneServiceFile } from "./grpc-convert";
import { zoneHandlers } from "./grpc-handlers";
import { createHttpApi } from "./http-api";
import type { ControlServiceOptions, RunningControlService } from "./options";
import { RequestMetrics } from "./request-metrics";
import { requireTokensOffLoopback } from "./loopback";
import { loadTokenFile } from "./token-file";

/** How often gRPC health follows `isReady`. */
const HEALTH_POLL_MS = 1000;

/**
 * Starts the control plane's transports in front of `controlPlane`: the HTTP API (docs/reference/
 * http-api.md) and gRPC ZoneService with health and reflection, sharing one authenticator and
 * one set of request counts. Resolves once both listen; logs the ports it got.
 *
 * @throws FlowzoneError `invalid_config` for impossible options or a host off loopback without
 *   tokens, TokenFileError for an unusable token file, and an Error naming the address when a
 *   port cannot be bound (nothing is left listening then).
 */
export async function startControlService(options: ControlServiceOptions): Promise<RunningControlService> {
  const logger = options.logger.child({ component: "control-api" });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1024) throw invalidSetting("maxBodyBytes", `${maxBodyBytes} is not a size; use at least 1024 bytes`);
  const tokens = await tokensOf(options);
  requireTokensOffLoopback(options.host, tokens !== undefined, "FLOWZONE_CONTROL_HOST");
  const authenticator = new Authenticator(tokens);
  const isReady = options.isReady ?? (() => true);
  const now = options.now ?? (() => new Date());
  const metricsToken = options.metricsToken === undefined ? undefined : new MetricsToken(options.metricsToken);
  const telemetry = options.telemetry ?? createTelemetry({ serviceName: "flowzone-control" });
  const metrics = new RequestMetrics(telemetry, options.controlPlane, (error) => {
    logger.warn({ err: error }, "reading the backlog for metrics failed; serving the last sizes");
  });
  const deps = { controlPlane: options.controlPlane, authenticator, metrics, logger, now };

  // After every other check, so nothing needs closing when they fail; a bad file fails here.
  const certificates = options.tls === undefined ? undefined : ServerCertificates.watch(options.tls, { logger: logger.child({ component: "tls" }) });
  const http = createHttpApi({ ...deps, maxBodyBytes, isReady, leadership: options.leadership, metricsToken, tls: certificates, redrive: options.redrive });
  const grpcServer = new grpc.Server({ "grpc.max_receive_message_length": maxBodyBytes, "grpc.max_send_message_length": maxBodyBytes });
  grpcServer.addService(serviceDefinition(zoneService), zoneHandlers(deps));
  const health = createHealth([zoneService.typeName]);
  health.addToServer(grpcServer);
  addReflection(grpcServer, [zoneServiceFile]);

  let httpPort: number;
  let grpcPort: number;
  try {
    await options.heldPorts?.release(options.host, options.httpPort);
    httpPort = await listenHttp(http, options.host, options.httpPort);
  } catch (error) {
    grpcServer.forceShutdown();
    metrics.stop();
    certificates?.close();
    throw error;
  }
  try {
    await options.heldPorts?.release(options.host, options.grpcPort);
    grpcPort = await listen(grpcServer, options.host, options.grpcPort, serverCredentials(certificates));
  } catch (error) {
    grpcServer.forceShutdown();
    http.close();
    metrics.stop();
    certificates?.close();
    throw error;
  }
  const readiness = health.follow(isReady, HEALTH_POLL_MS);

  if (authenticator.open) {
    logger.warn("no token file (FLOWZONE_TOKENS): the control plane API is OPEN to anyone on this machine, acting as \"anonymous\"; for development only");
  } else {
    logger.info({ tokens: tokens?.length ?? 0 }, "bearer-token auth on: reads need a token, changes need the role privacy-admin");
  }
  logger.info({ host: options.host, httpPort, grpcPort, tls: tlsMode(certificates) }, "control plane API listening");

  let closing: Promise<void> | undefined;
  return {
    httpPort,
    grpcPort,
    close: (graceMs = DEFAULTS.closeGraceMs) => {
      closing ??= (async () => {
        readiness.stop();
        metrics.stop();
        const [forcedHttp, forcedGrpc] = await Promise.all([closeHttp(http, graceMs), shutdownGracefully(grpcServer, { graceMs, health })]);
        certificates?.close();
        logger.info({ forced: forcedHttp || forcedGrpc }, "control plane API stopped");
      })();
      return closing;
    },
  };
}

async function tokensOf(options: ControlServiceOptions): Promise<readonly ApiToken[] | undefined> {
  if (options.tokens !== undefined && options.tokensFile !== undefined) {
    throw invalidSetting("tokens", "give the tokens or a token file, not both");
  }
  return options.tokensFile === undefined ? options.tokens : loadTokenFile(options.tokensFile);
}

function listenHttp(server: WebServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

/** Stops accepting, closes idle keep-alive connections, and cuts the rest after `graceMs`; true when it had to. */
function closeHttp(server: WebServer, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let forced = false;
    const deadline = setTimeout(() => {
      forced = true;
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve(forced);
    });
    server.closeIdleConnections();
  });
}
