import { ago } from "./format";
import { useApi } from "./session-context";
import { Unavailable } from "./unavailable";
import { usePoll } from "./use-poll";
import type { DecisionPoints } from "./wire";

/** Which decision services and enforcers report zone traffic, and whether each runs the current policy. */
export function DecisionPointsPage() {
  const api = useApi();
  const points = usePoll(() => api<DecisionPoints>("GET", "/v1/decision-points"), "decision-points");
  const data = points.data;
  return (
    <main>
      <h1>Decision points</h1>
      <p class="hint">The decision services and enforcers reporting zone traffic, refreshed every 5 seconds.</p>
      <Unavailable polled={points} what="the decision points" />
      {data !== undefined && (
        <>
          <p>Policy version in force: <code>{data.currentPolicyVersion ?? "none pushed yet"}</code></p>
          <table data-testid="decision-points">
            <caption>{data.decisionPoints.length} reporting</caption>
            <thead><tr><th scope="col">Reporter</th><th scope="col">Kind</th><th scope="col">Policy version</th><th scope="col">Last seen</th><th scope="col">Zones</th></tr></thead>
            <tbody>
              {data.decisionPoints.map((point) => {
                const current = point.policyVersion === data.currentPolicyVersion;
                return (
                  <tr key={`${point.reporter} ${point.enforcementPoint}`}>
                    <th scope="row">{point.reporter}</th>
                    <td>{point.enforcementPoint}</td>
                    <td><code>{point.policyVersion}</code> <span class={`badge ${current ? "good" : "bad"}`}>{current ? "current" : "lagging"}</span></td>
                    <td>{ago(point.lastSeen)}</td>
                    <td>{point.zones.join(", ")}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
