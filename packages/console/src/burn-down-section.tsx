import { seg } from "./api";
import { BurnDownChart } from "./burn-down-chart";
import { useApi } from "./session-context";
import { Unavailable } from "./unavailable";
import { usePoll } from "./use-poll";
import type { ZoneHistory } from "./wire";

/** The last 30 days of open violation signatures: a chart, and the same numbers as a table. */
export function BurnDownSection({ zone }: { zone: string }) {
  const api = useApi();
  const history = usePoll(() => api<ZoneHistory>("GET", `/v1/zones/${seg(zone)}/history?days=30`), `history:${zone}`);
  const days = history.data?.days;
  const last = days?.at(-1);
  return (
    <section aria-labelledby="burn-down">
      <h2 id="burn-down">Burn-down: open violation signatures, last 30 days</h2>
      <Unavailable polled={history} what="the zone's history" />
      {days !== undefined && last !== undefined && (
        <>
          <figure>
            <BurnDownChart days={days} />
            <figcaption>Open on {last.date}: {last.open}; that day {last.new} new and {last.resolved} resolved.</figcaption>
          </figure>
          <details>
            <summary>The numbers by day</summary>
            <table>
              <thead><tr><th scope="col">Day (UTC)</th><th scope="col">Open</th><th scope="col">New</th><th scope="col">Resolved</th></tr></thead>
              <tbody>
                {days.map((day) => <tr key={day.date}><td>{day.date}</td><td class="number">{day.open}</td><td class="number">{day.new}</td><td class="number">{day.resolved}</td></tr>)}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  );
}
