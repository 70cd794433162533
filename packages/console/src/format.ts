/** Times as the console shows them: absolute in UTC (as the API and audit trail have them) and relative. */

export function utc(iso: string | null): string {
  return iso === null ? "never" : `${iso.slice(0, 19).replace("T", " ")} UTC`;
}

/** "3 h 20 min" for a span of milliseconds. */
export function span(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 1) return "under a minute";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts = [days > 0 ? `${days} d` : "", hours > 0 ? `${hours} h` : "", days === 0 && minutes % 60 > 0 ? `${minutes % 60} min` : ""];
  return parts.filter((part) => part !== "").join(" ");
}

export function ago(iso: string | null, now = Date.now()): string {
  return iso === null ? "never" : `${span(now - Date.parse(iso))} ago`;
}

/** Time left until `iso`, or "expired". */
export function timeLeft(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  return ms <= 0 ? "expired" : `${span(ms)} left`;
}
