/**
 * An RFC 3339 time as people read it in a table: "3m ago", "in 2h", "just now"; a dash for
 * none. One unit is what a glance needs (--json keeps the exact time). Days from 48 hours,
 * hours from 90 minutes, minutes from 90 seconds, so "36h ago" is not rounded to "1d ago".
 */
export function relativeTime(iso: string | null, now: Date): string {
  if (iso === null) return "-";
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const seconds = Math.round((time - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return "just now";
  const amount =
    abs >= 48 * 3600 ? `${Math.floor(abs / 86400)}d` : abs >= 90 * 60 ? `${Math.floor(abs / 3600)}h` : abs >= 90 ? `${Math.floor(abs / 60)}m` : `${abs}s`;
  return seconds < 0 ? `${amount} ago` : `in ${amount}`;
}
