/** A logger that keeps what it logs, to assert on it; nothing reaches the console. */
import { createLogger, type Logger } from "@flowzone/logging";

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown>;

/** A JSON logger at `level` (info unless given) and the lines it has written so far. */
export function collectingLogger(level: "debug" | "info" | "warn" = "info"): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(text: string): void {
        for (const line of text.split("\n")) if (line !== "") lines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  return { logger, lines };
}
