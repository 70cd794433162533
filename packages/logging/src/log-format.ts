import { isatty } from "node:tty";

/** How lines are written: one JSON object per line, or human-readable (pino-pretty). */
export type LogFormat = "json" | "pretty";

/** A {@link LogFormat}, or `auto`: pretty when the destination is a terminal, JSON otherwise. */
export type LogFormatChoice = LogFormat | "auto";

/** Every accepted value of a format setting (`FLOWZONE_LOG_FORMAT`), in the order the docs list them. */
export const LOG_FORMAT_CHOICES: readonly LogFormatChoice[] = ["auto", "json", "pretty"];

/**
 * Parses a format setting such as `FLOWZONE_LOG_FORMAT`; throws, naming the setting and the
 * accepted values, so a typo fails at start-up instead of silently logging in the other format.
 */
export function parseLogFormat(text: string, setting = "FLOWZONE_LOG_FORMAT"): LogFormatChoice {
  const choice = LOG_FORMAT_CHOICES.find((c) => c === text.trim().toLowerCase());
  if (choice === undefined) {
    throw new Error(`${setting} must be one of ${LOG_FORMAT_CHOICES.join(", ")}, got "${text}"`);
  }
  return choice;
}

/** The format to write in: an explicit choice wins; `auto` is pretty on a terminal and JSON elsewhere (files, pipes, collectors). */
export function selectLogFormat(choice: LogFormatChoice, destinationIsTerminal: boolean): LogFormat {
  if (choice !== "auto") return choice;
  return destinationIsTerminal ? "pretty" : "json";
}

/**
 * Whether a destination is a terminal: a `tty.WriteStream` says so (`isTTY`), a file-descriptor
 * stream (pino's SonicBoom) is asked through its `fd`; anything else (a test's collector) is not.
 */
export function isTerminal(destination: object): boolean {
  if ("isTTY" in destination) return destination.isTTY === true;
  if ("fd" in destination && typeof destination.fd === "number") return isatty(destination.fd);
  return false;
}
