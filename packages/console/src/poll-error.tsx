import type { Polled } from "./use-poll";

/** What went wrong with the last refresh, if anything (the last good data stays shown). */
export function PollError({ polled }: { polled: Polled<unknown> }) {
  return polled.error === undefined ? null : <p role="alert" class="error">Could not refresh: {polled.error.message}</p>;
}
