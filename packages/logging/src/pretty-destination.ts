import { prettyFactory } from "pino-pretty";

import type { pino } from "pino";

/** What {@link prettyDestination} needs. */
export interface PrettyDestinationOptions {
  /** Colours (levels, keys); on for a terminal, off for a file or a pipe. */
  readonly colorize: boolean;
}

/**
 * A destination that writes each of pino's JSON lines to `target` as one human-readable line:
 * `12:00:01.250 INFO: pdp: decision service listening {"port":50051}`. pino-pretty's formatter is
 * called synchronously on the caller's thread (no transport worker, no stream pipeline), so a
 * line is on the terminal before `info()` returns, like pino's own synchronous stdout, and none is
 * lost when the process exits. Redaction has already happened: the formatter sees pino's output.
 */
export function prettyDestination(target: pino.DestinationStream, options: PrettyDestinationOptions): pino.DestinationStream {
  const format = prettyFactory({
    colorize: options.colorize,
    translateTime: "SYS:HH:MM:ss.l",
    singleLine: true,
    messageFormat: "{if component}{component}: {end}{msg}",
    ignore: "pid,hostname,service,component",
    errorLikeObjectKeys: ["err", "error"],
  });
  return {
    write(line: string): void {
      target.write(format(line));
    },
  };
}
