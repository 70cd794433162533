import { useState } from "preact/hooks";
import { ago } from "./format";
import { Link } from "./link";
import { PollError } from "./poll-error";
import { zonePath } from "./route";
import { useApi } from "./session-context";
import { StatusBadge, YesNo } from "./status-badge";
import { usePoll } from "./use-poll";
import type { Zone } from "./wire";
import { zoneStatus } from "./zone-status";

type SortKey = "name" | "status" | "openViolations" | "lastViolationAt";

const compare: Record<SortKey, (a: Zone, b: Zone) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  status: (a, b) => zoneStatus(a).label.localeCompare(zoneStatus(b).label),
  openViolations: (a, b) => a.openViolations - b.openViolations,
  lastViolationAt: (a, b) => (a.lastViolationAt ?? "").localeCompare(b.lastViolationAt ?? ""),
};

/** Every zone at a glance, refreshed every 5 s; filter by name, owner or status, sort by column. */
export function ZonesPage() {
  const api = useApi();
  const zones = usePoll(() => api<{ zones: Zone[] }>("GET", "/v1/zones"), "zones");
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "openViolations", descending: true });
  const needle = filter.trim().toLowerCase();
  const shown = (zones.data?.zones ?? [])
    .filter((zone) => needle === "" || [zone.name, zoneStatus(zone).label, ...zone.owners].some((text) => text.toLowerCase().includes(needle)))
    .sort((a, b) => (sort.descending ? -1 : 1) * compare[sort.key](a, b) || a.name.localeCompare(b.name));
  const sortBy = (key: SortKey): void => { setSort({ key, descending: sort.key === key ? !sort.descending : key !== "name" }); };
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.descending ? "descending" : "ascending") : "none"}>
      <button type="button" class="sort" onClick={() => { sortBy(key); }}>
        {label} {sort.key === key ? (sort.descending ? "▼" : "▲") : ""}
      </button>
    </th>
  );
  return (
    <main>
      <h1>Zones</h1>
      <p class="hint">Refreshed every 5 seconds.</p>
      <label for="zone-filter">Filter by zone, owner or status</label>
      <input id="zone-filter" type="search" value={filter} onInput={(e) => { setFilter(e.currentTarget.value); }} />
      <PollError polled={zones} />
      <table>
        <caption>{zones.data === undefined ? "Loading zones…" : `${shown.length} of ${zones.data.zones.length} zones`}</caption>
        <thead>
          <tr>
            {header("name", "Zone")}
            {header("status", "Status")}
            <th scope="col">Mode</th>
            <th scope="col">Effective mode</th>
            <th scope="col">Fail mode</th>
            {header("openViolations", "Open violations")}
            <th scope="col">Drained</th>
            <th scope="col">Ready</th>
            <th scope="col">Owners</th>
            {header("lastViolationAt", "Last violation")}
          </tr>
        </thead>
        <tbody>
          {shown.map((zone) => (
            <tr key={zone.name} data-zone={zone.name}>
              <th scope="row"><Link href={zonePath(zone.name)}>{zone.name}</Link></th>
              <td><StatusBadge zone={zone} /></td>
              <td>{zone.mode}</td>
              <td>{zone.effectiveMode}</td>
              <td>{zone.failMode}</td>
              <td class="number" data-field="openViolations">{zone.openViolations}</td>
              <td><YesNo value={zone.drained} /></td>
              <td><YesNo value={zone.readyToEnforce} /></td>
              <td>{zone.owners.join(", ")}</td>
              <td title={zone.lastViolationAt ?? undefined}>{ago(zone.lastViolationAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
