/** The process signals that stop a long-running command gracefully. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/** A pending request to stop; `dispose()` removes its handlers when the command ends otherwise. */
export interface ShutdownWatch {
  /** Resolves with what asked to stop: `SIGINT`, `SIGTERM` or `aborted`. */
  readonly requested: Promise<string>;
  dispose(): void;
}

/**
 * Watches for the request to stop: `signal`'s abort (tests), or else the first SIGINT or SIGTERM
 * this process receives. The process handlers are removed once one fires, so a second Ctrl-C
 * during the drain gets node's default behaviour and ends the process at once.
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
  const onSignal = (name: NodeJS.Signals): void => {
    dispose();
    resolveRequested(name);
  };
  const dispose = (): void => {
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return { requested, dispose };
}
