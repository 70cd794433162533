import type { Logger } from "@flowzone/logging";
import { createWebServer, type ServerCertificates } from "@flowzone/service-kit";

import { MetricsToken } from "./metrics-token";
import { PROMETHEUS_CONTENT_TYPE, type Telemetry } from "./telemetry";

/** Where {@link serveMetrics} listens. */
export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port; the bound one is in {@link MetricsServer.port} and the log. */
  readonly port: number;
  readonly logger: Logger;
  /**
   * Further `GET` endpoints beside `/metrics`, by path (the decision service's `/healthz` and
   * `/readyz`): each answers a status code and a body sent as JSON.
   */
  readonly probes?: Readonly<Record<string, () => ProbeAnswer>>;
  /** The bearer token `GET /metrics` requires (`FLOWZONE_METRICS_TOKEN_FILE`); unset, none. Probes never need it. */
  readonly token?: string | undefined;
  /** The process's TLS certificates (`FLOWZONE_TLS_CERT`, `FLOWZONE_TLS_KEY`): given, it serves HTTPS. */
  readonly tls?: ServerCertificates | undefined;
}

/** What a probe answers: its HTTP status and a JSON body. */
export interface ProbeAnswer {
  readonly statusCode: number;
  readonly body: unknown;
}

/** A listening `/metrics` endpoint. */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Default `FLOWZONE_METRICS_PORT` (the Prometheus exporter's registered port). */
export const DEFAULT_METRICS_PORT = 9464;

/**
 * Serves `GET /metrics` (Prometheus text) for a process without its own HTTP API: the decision
 * service and the enforcer, and the `probes` given. Anything else is 404. With a `token`,
 * `/metrics` answers 401 (`{"error": {...}}`, as the control plane's API) without it. Logs the
 * port it got.
 *
 * @throws Error naming the address when the port cannot be bound.
 */
export async function serveMetrics(telemetry: Telemetry, options: MetricsServerOptions): Promise<MetricsServer> {
  const logger = options.logger.child({ component: "metrics" });
  const probes = new Map(Object.entries(options.probes ?? {}));
  const paths = ["/metrics", ...probes.keys()].join(", ");
  const token = options.token === undefined ? undefined : new MetricsToken(options.token);
  const server = createWebServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const probe = probes.get(path);
    if ((path !== "/metrics" && probe === undefined) || (request.method !== "GET" && request.method !== "HEAD")) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`not found: this server answers GET on ${paths}\n`);
      return;
    }
    if (probe !== undefined) {
      const answer = probe();
      response.writeHead(answer.statusCode, { "content-type": "application/json" }).end(`${JSON.stringify(answer.body)}\n`);
      return;
    }
    const refused = token?.refusal(request.headers.authorization);
    if (refused !== undefined) {
      const body = JSON.stringify({ error: { code: "unauthenticated", message: refused } });
      response.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="flowzone"' }).end(`${body}\n`);
      return;
    }
    telemetry.render().then(
      (text) => {
        response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE }).end(text);
      },
      (error: unknown) => {
        logger.warn({ err: error }, "collecting metrics failed");
        response.writeHead(500, { "content-type": "text/plain" }).end("collecting metrics failed\n");
      },
    );
  }, options.tls, logger);
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", (error) => {
      reject(new Error(`cannot listen for metrics on ${options.host}:${options.port}: ${error.message}`, { cause: error }));
    });
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : options.port);
    });
  });
  logger.info({ host: options.host, port, https: options.tls !== undefined, paths: ["/metrics", ...probes.keys()] }, "metrics listening on /metrics");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/**
 * {@link serveMetrics} for a service whose job is not metrics (the decision service, the
 * enforcer): a port that cannot be bound is logged as an error and the service runs on without
 * `/metrics` (undefined), rather than refusing to decide because a scrape port is taken.
 */
export async function serveMetricsIfPossible(telemetry: Telemetry, options: MetricsServerOptions): Promise<MetricsServer | undefined> {
  try {
    return await serveMetrics(telemetry, options);
  } catch (error) {
    options.logger.error({ err: error }, "cannot serve /metrics; running without it (set FLOWZONE_METRICS_PORT to a free port, or 0)");
    return undefined;
  }
}
