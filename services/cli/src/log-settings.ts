import { createLogger, LOG_FORMAT_CHOICES, type Logger } from "@flowzone/logging";
import { choice, readSettings, type SettingSources } from "@flowzone/service-kit";

/** pino's level names, most verbose last. */
const LOG_LEVELS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;

/** `FLOWZONE_LOG_LEVEL` and `FLOWZONE_LOG_FORMAT`, read by every long-running command. */
export function logSettings(defaultLevel: (typeof LOG_LEVELS)[number]) {
  return {
    logLevel: choice({ env: "FLOWZONE_LOG_LEVEL", description: "Lowest level logged.", choices: LOG_LEVELS, default: defaultLevel }),
    logFormat: choice({
      env: "FLOWZONE_LOG_FORMAT",
      description: "json (one object a line), pretty (for people), or auto: pretty on a terminal, JSON otherwise.",
      choices: LOG_FORMAT_CHOICES,
      default: "auto",
    }),
  };
}

/** The process's root logger, as the log settings in `sources` ask for. */
export function loggerFor(sources: SettingSources, service: string, defaultLevel: (typeof LOG_LEVELS)[number], destination?: NodeJS.WritableStream): Logger {
  const { logLevel, logFormat } = readSettings(logSettings(defaultLevel), sources);
  return createLogger({ service, level: logLevel, format: logFormat, ...(destination === undefined ? {} : { destination }) });
}
