import { ApiError } from "./api";
import type { Polled } from "./use-poll";

/**
 * For a section whose endpoint may be missing on an older control plane (404 "no route"): says
 * so instead of an error; other failures are shown as they are.
 */
export function Unavailable({ polled, what }: { polled: Polled<unknown>; what: string }) {
  const error = polled.error;
  if (error === undefined) return polled.data === undefined ? <p class="loading">Loading…</p> : null;
  if (error instanceof ApiError && error.status === 404 && error.message.startsWith("no route")) {
    return <p>This control plane does not serve {what}.</p>;
  }
  return <p role="alert" class="error">Could not load {what}: {error.message}</p>;
}
