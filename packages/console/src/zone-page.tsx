import { AuditSection } from "./audit-section";
import { BurnDownSection } from "./burn-down-section";
import { ExceptionsSection } from "./exceptions-section";
import { FlipControls } from "./flip-controls";
import { FlipHistory } from "./flip-history";
import { Link } from "./link";
import { PollError } from "./poll-error";
import { ReadinessPanel } from "./readiness-panel";
import { ZONES_PATH } from "./route";
import { seg } from "./api";
import { useApi } from "./session-context";
import { StatusBadge } from "./status-badge";
import { TopFlows } from "./top-flows";
import { usePoll } from "./use-poll";
import { ViolationsSection } from "./violations-section";
import type { Violation, ZoneDetail } from "./wire";

/** One zone: readiness, burn-down, what is open and what to do about it, and its history. */
export function ZonePage({ zone }: { zone: string }) {
  const api = useApi();
  const detail = usePoll(() => api<ZoneDetail>("GET", `/v1/zones/${seg(zone)}`), `zone:${zone}`);
  const violations = usePoll(() => api<{ violations: Violation[] }>("GET", `/v1/zones/${seg(zone)}/violations?status=open&limit=1000`), `violations:${zone}`);
  /** After a change: everything the change may have moved. */
  const changed = (): void => { detail.reload(); violations.reload(); };
  const data = detail.data;
  return (
    <main>
      <p><Link href={ZONES_PATH}>← All zones</Link></p>
      <h1>Zone {zone} {data !== undefined && <StatusBadge zone={data} />}</h1>
      <PollError polled={detail} />
      {data === undefined ? (
        <p class="loading">Loading…</p>
      ) : (
        <>
          <p>
            Mode <strong>{data.mode}</strong>, effective mode <strong>{data.effectiveMode}</strong>, fail mode <strong>{data.failMode}</strong>.
            Owners: {data.owners.length === 0 ? "none named" : data.owners.join(", ")}.
          </p>
          <ReadinessPanel zone={data} />
          <FlipControls zone={data} onChange={changed} />
          <BurnDownSection zone={zone} />
          <ViolationsSection zone={zone} polled={violations} onChange={changed} />
          <TopFlows flows={data.topOpenFlows} />
          <ExceptionsSection zone={zone} exceptions={data.exceptions} onChange={changed} />
          <FlipHistory flips={data.history} />
          <AuditSection zone={zone} />
        </>
      )}
    </main>
  );
}
