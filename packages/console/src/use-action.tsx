import { useState } from "preact/hooks";
import type { ApiError } from "./api";

export interface Action {
  readonly busy: boolean;
  /** The API's refusal of the last attempt, if it was refused. */
  readonly error: ApiError | Error | undefined;
  /** Runs `change`; resolves true when it succeeded. */
  readonly run: (change: () => Promise<unknown>) => Promise<boolean>;
}

/** One change control's state: busy while the request runs, then the refusal, if any. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  const run = async (change: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await change();
      return true;
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(String(failure)));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** The refusal in a sentence, for an alert next to the control. */
export function ActionError({ action }: { action: Action }) {
  return action.error === undefined ? null : <p role="alert" class="error">Refused: {action.error.message}</p>;
}
