import type { IncomingMessage, ServerResponse } from "node:http";
import type { ControlPlane } from "@flowzone/control";
import { FlowzoneError } from "@flowzone/errors";
import type { Logger } from "@flowzone/logging";
import type { MetricsToken } from "@flowzone/telemetry";
import { createWebServer, type ServerCertificates, type WebServer } from "@flowzone/service-kit";
import type { Authenticator } from "./authenticator";
import { ConsoleAssets } from "./console-assets";
import { parseJsonBody, readBody } from "./http-body";
import { requireJsonContentType } from "./json-content-type";
import { httpErrorOf } from "./http-errors";
import { Router } from "./http-router";
import { loadOpenApiDocument } from "./openapi-document";
import { apiRoutes } from "./http-routes";
import type { ApiHandler, Reply } from "./http-routes";
import type { QuarantineRedrive } from "./quarantine-redrive";
import { PROMETHEUS_CONTENT_TYPE } from "./request-metrics";
import type { RequestMetrics } from "./request-metrics";
import type { ReplicaLeadership } from "./options";

export interface HttpApiDeps {
  readonly controlPlane: ControlPlane;
  readonly authenticator: Authenticator;
  readonly metrics: RequestMetrics;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Whether `/readyz` answers 200. */
  readonly isReady: () => boolean;
  /** The replica's name and leadership, in `/readyz`'s answer. */
  readonly leadership?: (() => ReplicaLeadership) | undefined;
  readonly now: () => Date;
  /** The bearer token `GET /metrics` requires; undefined, `/metrics` is open like the probes. */
  readonly metricsToken?: MetricsToken | undefined;
  /** The process's TLS certificates: given, the API serves HTTPS. */
  readonly tls?: ServerCertificates | undefined;
  /** Re-drives quarantined records; undefined without the enforcer's routes file. */
  readonly redrive?: QuarantineRedrive | undefined;
}

type Probe = (response: ServerResponse) => void;

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * The control plane's HTTP API (docs/reference/http-api.md, services/control/openapi.json) on
 * `node:http` (`node:https` under `FLOWZONE_TLS_CERT`). Per request: route (404/405), then auth (401/403, before any body is read, so an
 * unauthenticated client cannot make the server buffer), then a change's content-type (415 unless
 * JSON: no cross-site form posts), then the handler; every error becomes
 * the `{"error": {...}}` body via `httpErrorOf`. Probes, metrics and the OpenAPI document need no
 * API token: orchestrators and scrapers carry none, and a client reads the document to learn how
 * to authenticate; `/metrics` needs the metrics token when one is set. The privacy console's
 * files are served under `/ui/` (console-assets.ts), also without a token.
 */
export function createHttpApi(deps: HttpApiDeps): WebServer {
  const { authenticator, metrics, logger, maxBodyBytes } = deps;
  const router = new Router<ApiHandler>(apiRoutes(deps.controlPlane, deps.now, deps.redrive));
  const openApi = loadOpenApiDocument();
  const consoleAssets = ConsoleAssets.load();
  const probes: ReadonlyMap<string, Probe> = new Map<string, Probe>([
    ["/healthz", (response) => { send(response, 200, { status: "ok" }); }],
    ["/v1/openapi.json", (response) => { sendText(response, 200, JSON_TYPE, openApi); }],
    [
      "/readyz",
      (response) => {
        if (deps.isReady()) send(response, 200, { status: "ready", ...deps.leadership?.() });
        else send(response, 503, { error: { code: "unavailable", message: "the control plane is not ready yet" } });
      },
    ],
    [
      "/metrics",
      (response) => {
        metrics.render().then(
          (text) => {
            response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE }).end(text);
          },
          (error: unknown) => {
            logger.warn({ err: error }, "collecting metrics failed");
            send(response, 500, { error: { code: "internal", message: "collecting metrics failed" } });
          },
        );
      },
    ],
  ]);

  /** Serves one request; `seen.route` is set as soon as it is known, for metrics and logs. */
  const handle = async (request: IncomingMessage, response: ServerResponse, seen: { route: string }): Promise<void> => {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", "http://localhost");
    if (ConsoleAssets.owns(url.pathname)) {
      // The console's files need no token: the console asks for one and sends it to /v1 itself.
      seen.route = "/ui/";
      if (method !== "GET") {
        response.setHeader("allow", "GET");
        throw new FlowzoneError("method_not_allowed", `${method} is not allowed on ${url.pathname}; use GET`);
      }
      const answer = consoleAssets.answer(url.pathname);
      response.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const probe = probes.get(url.pathname);
    if (probe !== undefined && method === "GET") {
      seen.route = url.pathname;
      const refused = url.pathname === "/metrics" ? deps.metricsToken?.refusal(request.headers.authorization) : undefined;
      if (refused !== undefined) throw new FlowzoneError("unauthenticated", refused);
      probe(response);
      return;
    }
    const match = probe !== undefined ? ({ kind: "method_not_allowed", allowed: ["GET"] } as const) : router.match(method, url.pathname);
    if (match.kind === "not_found") throw new FlowzoneError("not_found", `no route ${method} ${url.pathname}; see GET /v1/openapi.json for the API`);
    if (match.kind === "method_not_allowed") {
      response.setHeader("allow", match.allowed.join(", "));
      throw new FlowzoneError("method_not_allowed", `${method} is not allowed on ${url.pathname}; use ${match.allowed.join(" or ")}`);
    }
    const { route, params } = match;
    seen.route = route.pattern;
    const actor = authenticator.authenticate(request.headers.authorization, route.handler.access);
    requireJsonContentType(method, request.headers["content-type"]);
    const reply: Reply = await route.handler.handle({
      params,
      query: url.searchParams,
      actor,
      caller: () => authenticator.identify(request.headers.authorization),
      body: async () => parseJsonBody(await readBody(request, maxBodyBytes)),
    });
    if (route.handler.access === "change") {
      logger.info({ subject: actor.subject, method, route: route.pattern, params, status: reply.status }, "change accepted");
    }
    send(response, reply.status, reply.body);
  };

  return createWebServer((request, response) => {
    const started = Date.now();
    const method = request.method ?? "GET";
    const seen = { route: "unmatched" };
    handle(request, response, seen)
      .then(() => response.statusCode)
      .catch((error: unknown) => {
        const failure = httpErrorOf(error);
        if (failure.internal) logger.error({ err: error, method, url: request.url }, "unexpected error serving a request");
        if (!response.headersSent) {
          for (const [name, value] of Object.entries(failure.headers)) response.setHeader(name, value);
          send(response, failure.status, failure.body);
        } else {
          response.destroy();
        }
        return failure.status;
      })
      .then((status) => {
        metrics.countHttp(method, seen.route, status);
        logger.debug({ method, route: seen.route, status, ms: Date.now() - started }, "request served");
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, "cannot finish a request");
      });
  }, deps.tls, logger);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    response.writeHead(status, { "cache-control": "no-store" });
    response.end();
    return;
  }
  sendText(response, status, JSON_TYPE, JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  response.end(text);
}
