import { pino } from "pino";

import { isTerminal, selectLogFormat, type LogFormat, type LogFormatChoice } from "./log-format";
import { prettyDestination } from "./pretty-destination";
import { uniqueBindings, uniqueCallFields } from "./unique-keys";

/** The logger every flowzone component writes to; components take `child({ component })`. */
export type Logger = pino.Logger;

export interface LoggerOptions {
  /** pino level name; default `info`. */
  readonly level?: string;
  /**
   * `json`, `pretty`, or `auto` (the default): pretty when the destination is a terminal, JSON
   * otherwise. Services pass `FLOWZONE_LOG_FORMAT` here, parsed with `parseLogFormat`.
   */
  readonly format?: LogFormatChoice;
  /** Where lines go; default stdout (synchronous). Tests hand in a stream that collects lines. */
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
 * Creates the process's root logger. One root per process keeps redaction, the `service` field,
 * the format and the one-key-once rule in one place; pino throws here on a bad level, at start-up
 * rather than mid-request.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? "info",
    base: { service: options.service ?? "flowzone" },
    redact: { paths: [...REDACT_PATHS], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    onChild: uniqueBindings,
    hooks: { logMethod: uniqueCallFields },
  };
  const target = options.destination ?? pino.destination({ fd: 1, sync: true });
  const terminal = isTerminal(target);
  const format: LogFormat = selectLogFormat(options.format ?? "auto", terminal);
  const logger = pino(settings, format === "pretty" ? prettyDestination(target, { colorize: terminal }) : target);
  uniqueBindings(logger);
  return logger;
}
