import { useCallback, useEffect, useState } from "preact/hooks";

/** Every 5 s: the bound for a live view without server-sent events. */
export const POLL_MS = 5000;

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** Fetches again now, as after a change the user made. */
  readonly reload: () => void;
}

/** `load()` now, then every {@link POLL_MS} while the component is shown; a new `key` starts over. */
export function usePoll<T>(load: () => Promise<T>, key: string): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => { setTick((n) => n + 1); }, []);
  useEffect(() => {
    setData(undefined);
    setError(undefined);
  }, [key]);
  useEffect(() => {
    let live = true;
    const run = (): void => {
      load().then(
        (value) => { if (live) { setData(value); setError(undefined); } },
        (failure: unknown) => { if (live) setError(failure instanceof Error ? failure : new Error(String(failure))); },
      );
    };
    run();
    const timer = setInterval(run, POLL_MS);
    return () => { live = false; clearInterval(timer); };
    // `load` is a new closure every render; `key` and `tick` say when to start over.
  }, [key, tick]);
  return { data, error, reload };
}
