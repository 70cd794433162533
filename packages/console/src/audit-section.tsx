import { seg } from "./api";
import { utc } from "./format";
import { useApi } from "./session-context";
import { Unavailable } from "./unavailable";
import { usePoll } from "./use-poll";
import type { AuditRecords } from "./wire";

/** The zone's 50 most recent audit records: violations decided, and changes with their subject. */
export function AuditSection({ zone }: { zone: string }) {
  const api = useApi();
  const audit = usePoll(() => api<AuditRecords>("GET", `/v1/zones/${seg(zone)}/audit?limit=50`), `audit:${zone}`);
  const records = audit.data?.records;
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Recent audit records</h2>
      <Unavailable polled={audit} what="the zone's audit records" />
      {records !== undefined && (records.length === 0 ? <p>None yet.</p> : (
        <table data-testid="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Kind</th><th scope="col">What</th><th scope="col">Who</th></tr></thead>
          <tbody>
            {records.map((record) => (
              <tr key={record.id}>
                <td>{utc(record.at)}</td>
                <td>{record.kind}</td>
                <td>{record.summary}</td>
                <td>{record.subject !== "" ? record.subject : record.reporter}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
