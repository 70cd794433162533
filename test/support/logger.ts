/** A logger that keeps what it logs, to assert on it; nothing reaches the console. */
import { createLogger, type Logger } from "@flowzone/logging";

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown>;

/**
 * A JSON logger at `level` (info unless given) and the lines it has written so far. `onLine`, if
 * given, sees each line as it is written, before the code that logged it goes on.
 */
export function collectingLogger(level: "debug" | "info" | "warn" = "info", onLine?: (line: LogLine) => void): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level,
    destination: {
      write(text: string): void {
        for (const part of text.split("\n")) {
          if (part === "") continue;
          const line = JSON.parse(part) as LogLine;
          lines.push(line);
          onLine?.(line);
        }
      },
    },
  });
  return { logger, lines };
}
