/**
 * Go-style durations (`90s`, `15m`, `24h`, `1h30m`, `500ms`, `1.5h`) plus `d` for days,
 * because policy authors already write quiet periods that way in Go tooling.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h|d))+$/;
const SEGMENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/g;

/**
 * Parses a Go-style duration into milliseconds; undefined when malformed, so callers report
 * the offending text themselves. `0` alone is accepted, as in Go. Negative durations are not.
 */
export function parseDurationMs(text: string): number | undefined {
  if (text === "0") return 0;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(SEGMENT)) {
    total += Number(amount) * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  }
  return Number.isFinite(total) ? total : undefined;
}
