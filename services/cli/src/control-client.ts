import { flowsSeenInGuardWindow } from "@flowzone/control";
import type { ErrorJson } from "@flowzone/control-service";
import { readFileSync } from "node:fs";

import { invalidSetting, parsed, readSettings, text, type Setting } from "@flowzone/service-kit";

import { sendRequest, type ClientTls, type HttpAnswer } from "./http-request";
import { UsageError } from "./usage-error";

/** Where the control plane is when FLOWZONE_CONTROL_URL is unset (docs/reference/cli.md). */
export const DEFAULT_CONTROL_URL = "http://127.0.0.1:8080";

/**
 * The settings of the commands that talk to the control plane (policy push, zones, violations),
 * read under the same rules as every other setting (docs/reference/configuration.md).
 */
export const CLIENT_SETTINGS = {
  url: {
    env: "FLOWZONE_CONTROL_URL",
    description: "The control plane's HTTP API.",
    defaultText: DEFAULT_CONTROL_URL,
    resolve(text: string | undefined): string {
      const raw = text ?? DEFAULT_CONTROL_URL;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error(`is not a URL; use e.g. ${DEFAULT_CONTROL_URL}`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("is not an http or https URL");
      return raw;
    },
  } satisfies Setting<string>,
  token: text({ env: "FLOWZONE_TOKEN", description: "A bearer token from the control plane's token file.", default: undefined }),
  tlsCa: parsed({ env: "FLOWZONE_TLS_CA", description: "CA certificates (PEM) to trust for an https FLOWZONE_CONTROL_URL instead of the system's roots.", parse: readPem }),
  tlsClientCert: parsed({ env: "FLOWZONE_TLS_CLIENT_CERT", description: "The CLI's client certificate (PEM) for an https FLOWZONE_CONTROL_URL, with FLOWZONE_TLS_CLIENT_KEY.", parse: readPem }),
  tlsClientKey: parsed({ env: "FLOWZONE_TLS_CLIENT_KEY", description: "Private key (PEM, unencrypted) of FLOWZONE_TLS_CLIENT_CERT.", parse: readPem }),
};

/** A PEM file's contents. @throws Error saying why the file cannot be used. */
function readPem(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot be read (${typeof error === "object" && error !== null && "code" in error ? String(error.code) : String(error)})`);
  }
  if (!pem.includes("-----BEGIN ")) throw new Error("is not a PEM file");
  return pem;
}

/**
 * A request the control plane refused or could not answer: the CLI prints its sentence (and
 * every blocker or `file:line` error) and exits 1.
 */
export class ApiRequestError extends Error {
  override readonly name = "ApiRequestError";

  constructor(
    /** The HTTP status; 0 when the control plane could not be reached. */
    readonly status: number,
    /** The API's `error` object, or a local stand-in with code `unreachable` / `bad_response`. */
    readonly body: ErrorJson["error"],
  ) {
    super(body.message);
  }
}

/**
 * The HTTP client of the `zones`, `violations` and `policy push` commands, on Node's global
 * fetch: one place that adds the bearer token and turns the API's error body into an
 * {@link ApiRequestError}.
 */
export class ControlClient {
  private constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly tls: ClientTls,
  ) {}

  /**
   * From `FLOWZONE_CONTROL_URL` (default http://127.0.0.1:8080) and `FLOWZONE_TOKEN`.
   * @throws UsageError naming a URL that is not http(s).
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, command: string): ControlClient {
    const { url, token, tlsCa, tlsClientCert, tlsClientKey } = UsageError.fromConfig(command, () => {
      const settings = readSettings(CLIENT_SETTINGS, { env });
      if ((settings.tlsClientCert === undefined) !== (settings.tlsClientKey === undefined)) {
        const [given, missing] = settings.tlsClientCert === undefined ? ["FLOWZONE_TLS_CLIENT_KEY", "FLOWZONE_TLS_CLIENT_CERT"] : ["FLOWZONE_TLS_CLIENT_CERT", "FLOWZONE_TLS_CLIENT_KEY"];
        throw invalidSetting(given, `is set without ${missing}; a client certificate needs both`);
      }
      return settings;
    });
    return new ControlClient(url.replace(/\/+$/, ""), token, { ca: tlsCa, cert: tlsClientCert, key: tlsClientKey });
  }

  /** Sends one request and resolves with the parsed JSON body (undefined for 204). */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token !== undefined) headers["authorization"] = `Bearer ${this.token}`;
    // Every change says JSON, body or not: the API refuses anything else (415), so no web page can post one as a form.
    if (method !== "GET") headers["content-type"] = "application/json";
    let response: HttpAnswer;
    try {
      response = await sendRequest(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), tls: this.tls });
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
      const hint = /CERT|SSL|TLS|SIGNATURE|EPROTO|ECONNRESET/.test(code) ? "; does FLOWZONE_TLS_CA name the CA that signed its certificate, and does it need a client certificate?" : "; is it running, and is FLOWZONE_CONTROL_URL right?";
      throw new ApiRequestError(0, { code: "unreachable", message: `cannot reach the control plane at ${this.baseUrl} (${cause})${hint}` });
    }
    const text = response.text;
    let json: unknown;
    try {
      json = text === "" ? undefined : (JSON.parse(text) as unknown);
    } catch {
      throw new ApiRequestError(response.status, { code: "bad_response", message: `the control plane answered ${response.status} with a body that is not JSON` });
    }
    if (response.ok) return json;
    const error = (json as Partial<ErrorJson> | undefined)?.error;
    throw new ApiRequestError(response.status, error ?? { code: "http_error", message: `the control plane answered ${response.status} ${response.statusText}` });
  }
}

/** An {@link ApiRequestError} as the CLI prints it: the sentence, then each blocker or error (and a refused flip's count of flows it would deny). */
export function formatRequestError(error: ApiRequestError): string {
  const { flowsNewlyDenied } = error.body;
  const guard = flowsNewlyDenied === undefined ? [] : [`in enforcement the zone would newly deny ${flowsSeenInGuardWindow(flowsNewlyDenied)}`];
  const items = [...(error.body.blockers ?? []), ...(error.body.errors ?? []), ...guard];
  const hint = error.status === 401 ? "\nSet FLOWZONE_TOKEN to a token from the control plane's token file." : "";
  return [error.message, ...items.map((item) => `  - ${item}`)].join("\n") + hint;
}
