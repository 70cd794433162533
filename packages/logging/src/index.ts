export { createLogger, REDACT_PATHS } from "./create-logger";
export type { Logger, LoggerOptions } from "./create-logger";
export { LOG_FORMAT_CHOICES, isTerminal, parseLogFormat, selectLogFormat } from "./log-format";
export type { LogFormat, LogFormatChoice } from "./log-format";
