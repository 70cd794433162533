/**
 * A started service, as every `start…(config)` returns it: the CLI, `flowzone dev` and the tests
 * wait on `failed` and call `stop()` alike.
 */
export interface RunningService {
  /**
   * Settles (never resolves) when the service can no longer do its work, e.g. a route that died
   * for good: the process should stop everything and exit non-zero so a supervisor restarts it.
   */
  readonly failed: Promise<never>;
  /** Stops everything the service started, last started first. */
  stop(): Promise<void>;
}

/** A `failed` promise and the function that rejects it (the first failure wins). */
export function fatalSignal(): { readonly failed: Promise<never>; readonly fail: (error: unknown) => void } {
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  // Nobody may be waiting yet; the rejection is still delivered to whoever awaits it later.
  failed.catch(() => undefined);
  return { failed, fail };
}
