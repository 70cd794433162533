import { createServer as createHttp, type RequestListener, type Server as HttpServer } from "node:http";
import { createServer as createHttps, type Server as HttpsServer } from "node:https";

import type { ServerCertificates, TlsLogger } from "./server-certificates";

/** An HTTP server, or an HTTPS one when the process has TLS. */
export type WebServer = HttpServer | HttpsServer;

/**
 * The HTTP server of a process's HTTP API or `/metrics`: plain `node:http` without certificates,
 * `node:https` with them, its certificate following every change the certificates take (new
 * connections get the new one). HTTPS listeners do not ask for client certificates even under
 * `FLOWZONE_TLS_CLIENT_CA`: their callers (scrapers, probes, the CLI) authenticate with tokens.
 */
export function createWebServer(listener: RequestListener, certificates: ServerCertificates | undefined, logger: TlsLogger): WebServer {
  if (certificates === undefined) return createHttp(listener);
  const { cert, key } = certificates.current;
  const server = createHttps({ cert, key }, listener);
  const stop = certificates.onChange((material) => {
    try {
      server.setSecureContext({ cert: material.cert, key: material.key });
    } catch (error) {
      logger.warn({ err: error }, "the HTTPS server refused the reloaded certificate; still serving the previous one");
    }
  });
  server.on("close", stop);
  return server;
}
