import { utc } from "./format";
import type { Flip } from "./wire";

export function FlipHistory({ flips }: { flips: readonly Flip[] }) {
  return (
    <section aria-labelledby="flip-history">
      <h2 id="flip-history">Flip history</h2>
      {flips.length === 0 ? (
        <p>Never flipped.</p>
      ) : (
        <table data-testid="flip-history">
          <thead><tr><th scope="col">When</th><th scope="col">From</th><th scope="col">To</th><th scope="col">By</th><th scope="col">Reason</th><th scope="col">How</th></tr></thead>
          <tbody>
            {flips.map((flip) => (
              <tr key={`${flip.at} ${flip.to}`}>
                <td>{utc(flip.at)}</td><td>{flip.from}</td><td>{flip.to}</td><td>{flip.actor}</td><td>{flip.reason}</td>
                <td>{flip.forced ? <span class="badge warn">forced</span> : flip.automatic ? "automatic" : "guarded"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
