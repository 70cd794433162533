const UNITS: readonly (readonly [string, number])[] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
];

/**
 * A duration the way policy files write quiet periods (`40s`, `5m`, `1h30m`, `7d`), so a blocker
 * reads in the same units as the policy it quotes. Rounded down to whole seconds (the two largest
 * non-zero units); under a second is `0s`.
 */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size);
    if (amount === 0) continue;
    parts.push(`${amount}${unit}`);
    rest -= amount * size;
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? "0s" : parts.join("");
}
