import { ago, utc } from "./format";
import { YesNo } from "./status-badge";
import type { ZoneDetail } from "./wire";

/** Whether the zone may be flipped to enforcement, and every blocker in words and numbers. */
export function ReadinessPanel({ zone }: { zone: ZoneDetail }) {
  const { readiness, drain } = zone;
  return (
    <section aria-labelledby="readiness">
      <h2 id="readiness">Readiness</h2>
      <dl class="facts">
        <dt>Ready to enforce</dt><dd><YesNo value={readiness.ready} /></dd>
        <dt>Drained</dt><dd><YesNo value={zone.drained} /></dd>
        <dt>Open violations</dt><dd>{zone.openViolations}</dd>
        <dt>Violations not stored (backlog full)</dt><dd>{zone.violationsNotStored}</dd>
        <dt>Decisions in the quiet period</dt><dd>{readiness.decisionsInQuietPeriod}</dd>
        <dt>Quiet period ends</dt><dd>{readiness.quietPeriodEndsAt === null ? "—" : utc(readiness.quietPeriodEndsAt)}</dd>
        <dt>Last violation</dt><dd>{ago(zone.lastViolationAt)}</dd>
        <dt>Drain forecast ({drain.windowDays} days)</dt>
        <dd>
          {drain.state.replace("_", " ")}: {drain.resolvedPerDay.toFixed(1)} resolved and {drain.openedPerDay.toFixed(1)} opened per day
          {drain.projectedDrainAt !== null && `, drained by ${utc(drain.projectedDrainAt)}`}
        </dd>
      </dl>
      <h3>Blockers</h3>
      {readiness.blockers.length === 0 ? (
        <p>None: the zone can be flipped to enforcement.</p>
      ) : (
        <ul class="blockers" data-testid="blockers">
          {readiness.blockers.map((blocker) => <li key={blocker}>{blocker}</li>)}
        </ul>
      )}
    </section>
  );
}
