import { readFileSync } from "node:fs";

import { parsed } from "./setting-kinds";
import type { Setting } from "./settings";

/** Shorter tokens are guessable; as for the control plane's token file, the file is refused. */
export const MIN_METRICS_TOKEN_LENGTH = 16;

/**
 * `--metrics-token-file` / `FLOWZONE_METRICS_TOKEN_FILE`: a file holding the bearer token that
 * `GET /metrics` then requires, of the decision service, the enforcer and the control plane.
 * The same file Prometheus reads with `authorization: { credentials_file: ... }` (the whole file,
 * surrounding blanks trimmed), so one secret is mounted into both. A file rather than the token
 * itself: an environment variable is seen by every child process, in `/proc/<pid>/environ` and
 * in container inspection. Read once at start-up; the value is the token. Unset, `/metrics` is
 * open. `/healthz` and `/readyz` never need it: probes carry no credentials.
 */
export const METRICS_TOKEN_FILE_SETTING: Setting<string | undefined> = parsed({
  env: "FLOWZONE_METRICS_TOKEN_FILE",
  flag: "metrics-token-file",
  description: "File holding the bearer token GET /metrics then requires (as Prometheus' credentials_file); unset, /metrics is open. /healthz and /readyz stay open.",
  parse: readMetricsTokenFile,
});

/**
 * Reads a metrics token file: one token of at least {@link MIN_METRICS_TOKEN_LENGTH} characters
 * without blanks, surrounding blanks and line breaks trimmed.
 *
 * @throws Error saying what is wrong with the file, never quoting its content.
 */
export function readMetricsTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // Not `instanceof Error`: fs errors come from another realm under some runners (jest).
    const reason = typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error);
    throw new Error(`cannot be read as the metrics token file: ${reason}`, { cause: error });
  }
  const token = text.trim();
  if (token === "") throw new Error("is empty; put one bearer token in the metrics token file");
  if (/\s/.test(token)) throw new Error("holds more than one word; the metrics token file holds one token without blanks");
  if (token.length < MIN_METRICS_TOKEN_LENGTH) throw new Error(`holds a token shorter than ${MIN_METRICS_TOKEN_LENGTH} characters; use a long random one (openssl rand -hex 32)`);
  return token;
}
