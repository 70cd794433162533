import type { ZoneDetail } from "./wire";

export function TopFlows({ flows }: { flows: ZoneDetail["topOpenFlows"] }) {
  return (
    <section aria-labelledby="top-flows">
      <h2 id="top-flows">Top open flows</h2>
      {flows.length === 0 ? (
        <p>No open flows.</p>
      ) : (
        <table>
          <thead><tr><th scope="col">Producer</th><th scope="col">Sink</th><th scope="col">Labels</th><th scope="col">Decisions</th></tr></thead>
          <tbody>
            {flows.map((flow) => (
              <tr key={`${flow.producer} ${flow.sink} ${flow.labels.join(",")}`}>
                <td>{flow.producer}</td><td>{flow.sink}</td><td>{flow.labels.join(", ")}</td><td class="number">{flow.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
