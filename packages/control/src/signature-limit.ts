import type { Queryable } from "./database";
import { signatureId, type SignatureKey } from "./signature";
import { openSignatureCounts } from "./zone-backlog-store";

/**
 * Default bound on a zone's open violation signatures. Producer and sink come from whoever writes,
 * so hostile traffic could otherwise make the backlog grow without end; a zone with this many open
 * signatures has a problem no list will solve.
 */
export const DEFAULT_MAX_OPEN_SIGNATURES_PER_ZONE = 100_000;

/** What a batch adds to one signature, as far as the bound needs it. */
export interface SignatureGrowth {
  readonly key: SignatureKey;
  readonly count: number;
  readonly lastMs: number;
}

/**
 * Keeps the signatures the store already has and the new ones their zone has room for (fewer open
 * signatures than `maxOpenPerZone`); the violations of the others are not stored but counted per
 * zone, with the time of the last one, in the caller's transaction. Returns what to store and the
 * violations refused per zone. Reopening a known signature adds no row, so it is always kept. The
 * caller holds the zones' counter rows (lockZoneBacklogs), so the counts read here stay
 * true until it commits and two consumers never both fill the last room.
 */
export async function admitSignatures<G extends SignatureGrowth>(
  tx: Queryable,
  growth: readonly G[],
  maxOpenPerZone: number,
): Promise<{ admitted: G[]; refused: Map<string, number> }> {
  const refused = new Map<string, number>();
  if (growth.length === 0) return { admitted: [], refused };
  const ids = growth.map((g) => signatureId(g.key));
  const known = new Set((await tx.query<{ id: string }>("SELECT id FROM violation_signatures WHERE id = ANY($1::text[])", [ids])).map((row) => row.id));
  const fresh = growth.filter((g) => !known.has(signatureId(g.key)));
  if (fresh.length === 0) return { admitted: [...growth], refused };
  const open = await openSignatureCounts(tx, [...new Set(fresh.map((g) => g.key.zone))]);
  const admitted = growth.filter((g) => known.has(signatureId(g.key)));
  const lastRefusedMs = new Map<string, number>();
  for (const g of fresh) {
    const zone = g.key.zone;
    const held = open.get(zone) ?? 0;
    if (held < maxOpenPerZone) {
      open.set(zone, held + 1);
      admitted.push(g);
      continue;
    }
    refused.set(zone, (refused.get(zone) ?? 0) + g.count);
    lastRefusedMs.set(zone, Math.max(lastRefusedMs.get(zone) ?? 0, g.lastMs));
  }
  for (const [zone, violations] of refused) {
    await tx.query(
      `INSERT INTO zone_unstored_violations AS u (zone, violations, last_at) VALUES ($1, $2, $3::timestamptz)
       ON CONFLICT (zone) DO UPDATE SET violations = u.violations + EXCLUDED.violations, last_at = GREATEST(u.last_at, EXCLUDED.last_at)`,
      [zone, violations, new Date(lastRefusedMs.get(zone) ?? 0).toISOString()],
    );
  }
  return { admitted, refused };
}
