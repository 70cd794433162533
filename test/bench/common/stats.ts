/** Aggregation of rounds: medians, and the deny fraction of a mode over all its rounds. */
import { CYCLE, EXPECTED_DENY_FRACTION, expectedDenies } from "./workload";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/**
 * Deny fraction of a mode whose rounds answered consecutive requests 0 .. n-1 (round r starts
 * where round r-1 ended): over the whole cycles answered, or over all n when under one cycle.
 * Throws when it is not what the workload gives for exactly those requests.
 */
export function denyFraction(name: string, rounds: readonly Uint8Array[]): { fraction: number; checks: number; wholeCycles: boolean } {
  const n = rounds.reduce((sum, r) => sum + r.length, 0);
  const cut = n >= CYCLE ? Math.floor(n / CYCLE) * CYCLE : n;
  let denies = 0;
  let s = 0;
  for (const round of rounds) {
    for (let i = 0; i < round.length && s < cut; i++, s++) denies += round[i] ?? 0;
  }
  const fraction = cut === 0 ? NaN : denies / cut;
  const expected = n >= CYCLE ? EXPECTED_DENY_FRACTION : expectedDenies(n) / n;
  if (!(Math.abs(fraction - expected) < 1e-9)) {
    throw new Error(`${name}: deny fraction ${fraction.toFixed(6)} over ${cut} requests, expected ${expected.toFixed(6)}: not the zones-20 workload`);
  }
  return { fraction, checks: n, wholeCycles: n >= CYCLE };
}
