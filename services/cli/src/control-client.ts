import type { ErrorJson } from "@flowzone/control-service";
import { readSettings, text, type Setting } from "@flowzone/service-kit";

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
};

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
  ) {}

  /**
   * From `FLOWZONE_CONTROL_URL` (default http://127.0.0.1:8080) and `FLOWZONE_TOKEN`.
   * @throws UsageError naming a URL that is not http(s).
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>>, command: string): ControlClient {
    const { url, token } = UsageError.fromConfig(command, () => readSettings(CLIENT_SETTINGS, { env }));
    return new ControlClient(url.replace(/\/+$/, ""), token);
  }

  /** Sends one request and resolves with the parsed JSON body (undefined for 204). */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token !== undefined) headers["authorization"] = `Bearer ${this.token}`;
    // Every change says JSON, body or not: the API refuses anything else (415), so no web page can post one as a form.
    if (method !== "GET") headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiRequestError(0, {
        code: "unreachable",
        message: `cannot reach the control plane at ${this.baseUrl} (${cause}); is it running, and is FLOWZONE_CONTROL_URL right?`,
      });
    }
    const text = await response.text();
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

/** An {@link ApiRequestError} as the CLI prints it: the sentence, then each blocker or error. */
export function formatRequestError(error: ApiRequestError): string {
  const items = [...(error.body.blockers ?? []), ...(error.body.errors ?? [])];
  const hint = error.status === 401 ? "\nSet FLOWZONE_TOKEN to a token from the control plane's token file." : "";
  return [error.message, ...items.map((item) => `  - ${item}`)].join("\n") + hint;
}
