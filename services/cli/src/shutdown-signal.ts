/** The process signals that stop a long-running command gracefully. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/** A pending request to stop; `dispose()` removes its handlers when the command ends otherwise. */
export interface ShutdownWatch {
  /** Resolves with what asked to stop: `SIGINT`, `SIGTERM` or `aborted`. */
  readonly requested: Promise<string>;
  dispose(): void;
}

/**
 * A repeat of the stop signal within this window is the same Ctrl-C delivered twice: the terminal
 * signals the whole foreground process group and `npm start` forwards what it receives as well.
 */
export const REPEAT_SIGNAL_WINDOW_MS = 2000;

/**
 * Watches for the request to stop: `signal`'s abort (tests), or else the first SIGINT or SIGTERM
 * this process receives. A second signal after {@link REPEAT_SIGNAL_WINDOW_MS} during the drain
 * is a user insisting: the process ends at once (exit 130 for SIGINT, 143 for SIGTERM).
 */
export function watchShutdown(signal: AbortSignal | undefined): ShutdownWatch {
  if (signal !== undefined) {
    let onAbort = (): void => undefined;
    const requested = new Promise<string>((resolve) => {
      onAbort = () => { resolve("aborted"); };
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    return { requested, dispose: () => { signal.removeEventListener("abort", onAbort); } };
  }
  let resolveRequested: (reason: string) => void = () => undefined;
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve;
  });
  let firstAtMs: number | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (firstAtMs === undefined) {
      firstAtMs = Date.now();
      resolveRequested(name);
      return;
    }
    if (Date.now() - firstAtMs < REPEAT_SIGNAL_WINDOW_MS) return;
    process.stderr.write(`${name} again: stopping at once\n`);
    process.exit(name === "SIGINT" ? 130 : 143);
  };
  const dispose = (): void => {
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return { requested, dispose };
}
