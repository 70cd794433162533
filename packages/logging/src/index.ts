export { createLogger, REDACT_PATHS } from "./create-logger";
export type { Logger, LoggerOptions } from "./create-logger";
