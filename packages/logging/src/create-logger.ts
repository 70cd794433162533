import { pino } from "pino";

/** The logger every flowzone component writes to; components take `child({ component })`. */
export type Logger = pino.Logger;

export interface LoggerOptions {
  /** pino level name; default `info`. */
  readonly level?: string;
  /** Where lines go; default stdout. Tests hand in a stream that collects lines. */
  readonly destination?: pino.DestinationStream;
  /** `service` field on every line; default `flowzone`. */
  readonly service?: string;
}

/**
 * Paths censored on every line. Record values, payloads and credentials must never reach a log,
 * even when a caller logs a whole object by mistake; names of labels and assets are fine.
 */
export const REDACT_PATHS: readonly string[] = [
  "value",
  "*.value",
  "payload",
  "*.payload",
  "token",
  "*.token",
  "password",
  "*.password",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "headers.cookie",
  "*.headers.cookie",
];

/**
 * Creates the process's root logger. One root per process keeps redaction and the `service`
 * field in one place; pino throws here on a bad level, at start-up rather than mid-request.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? "info",
    base: { service: options.service ?? "flowzone" },
    redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
