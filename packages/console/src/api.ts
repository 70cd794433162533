/** Calls the control plane's /v1 API (same origin) with the tab's bearer token. */

/** An error answer of the API: its status and `{"error": {...}}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** `not_drained` answers list what keeps the zone from being drained. */
    readonly blockers: readonly string[] = [],
    readonly flowsNewlyDenied?: number,
  ) {
    super(message);
  }
}

interface ErrorBody {
  readonly error?: { code?: string; message?: string; blockers?: string[]; flowsNewlyDenied?: number };
}

/** `token` "" sends none: a control plane without a token file (flowzone dev) needs none. */
export async function callApi<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = token === "" ? {} : { authorization: `Bearer ${token}` };
  // Every change must say it is JSON, even without a body (the API refuses cross-site form posts).
  if (method !== "GET") headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => ({}))) as unknown;
  if (!response.ok) {
    const error = (json as ErrorBody).error ?? {};
    throw new ApiError(response.status, error.code ?? "unknown", error.message ?? `HTTP ${response.status}`, error.blockers, error.flowsNewlyDenied);
  }
  return json as T;
}

/** A path segment, escaped. */
export const seg = encodeURIComponent;
