import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

/** TLS of the CLI's requests to an `https:` control plane, as PEM contents. */
export interface ClientTls {
  /** Certificates to trust instead of the system's roots (`FLOWZONE_TLS_CA`). */
  readonly ca?: Buffer | undefined;
  /** The CLI's own certificate and key (`FLOWZONE_TLS_CLIENT_CERT`, `FLOWZONE_TLS_CLIENT_KEY`). */
  readonly cert?: Buffer | undefined;
  readonly key?: Buffer | undefined;
}

/** What the server answered. */
export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly text: string;
}

/**
 * One request over `node:http` or `node:https` by the URL's scheme, with `tls` for https (Node's
 * global fetch cannot be given a CA or a client certificate). Rejects when the server cannot be
 * reached or the TLS handshake fails (an untrusted certificate among them), with Node's error.
 */
export function sendRequest(url: string, options: { method: string; headers: OutgoingHttpHeaders; body?: string | undefined; tls?: ClientTls | undefined }): Promise<HttpAnswer> {
  const secure = new URL(url).protocol === "https:";
  const tls = secure ? (options.tls ?? {}) : {};
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        resolve({ status, statusText: response.statusMessage ?? "", ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString("utf8") });
      });
    };
    const requestOptions = { method: options.method, headers: options.headers, ...tls };
    const request = secure ? httpsRequest(url, requestOptions, onResponse) : httpRequest(url, requestOptions, onResponse);
    request.on("error", reject);
    request.end(options.body);
  });
}
