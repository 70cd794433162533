import type { Mode } from "@flowzone/engine";

import type { FlipView } from "./control-plane";
import type { Queryable } from "./database";
import { isMode } from "./modes";

/** One flip as stored in the zone's history. */
export interface FlipRecord extends FlipView {
  readonly zone: string;
  readonly epoch: number;
}

/** Runtime modes of the zones that were ever flipped; the others run in their bundle mode. */
export async function runtimeModes(db: Queryable): Promise<Map<string, Mode>> {
  const rows = await db.query<{ zone: string; mode: string }>("SELECT zone, mode FROM zone_state");
  const modes = new Map<string, Mode>();
  for (const row of rows) if (isMode(row.mode)) modes.set(row.zone, row.mode);
  return modes;
}

/** Records a flip: the zone's runtime mode and a history row, in the caller's transaction. */
export async function recordFlip(tx: Queryable, flip: FlipRecord): Promise<void> {
  const at = flip.at.toISOString();
  await tx.query(
    `INSERT INTO zone_state (zone, mode, epoch, updated_at) VALUES ($1, $2, $3, $4::timestamptz)
     ON CONFLICT (zone) DO UPDATE SET mode = EXCLUDED.mode, epoch = EXCLUDED.epoch, updated_at = EXCLUDED.updated_at`,
    [flip.zone, flip.to, flip.epoch, at],
  );
  await tx.query(
    `INSERT INTO zone_flips (zone, from_mode, to_mode, actor, reason, forced, automatic, at, epoch)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9)`,
    [flip.zone, flip.from, flip.to, flip.actor, flip.reason, flip.forced, flip.automatic, at, flip.epoch],
  );
}

interface FlipRow {
  zone: string;
  from_mode: string;
  to_mode: string;
  actor: string;
  reason: string;
  forced: boolean;
  automatic: boolean;
  at: Date;
  epoch: number;
}

/** A zone's flips, newest first. */
export async function flipHistory(db: Queryable, zone: string, limit: number): Promise<FlipRecord[]> {
  const rows = await db.query<FlipRow>(
    `SELECT zone, from_mode, to_mode, actor, reason, forced, automatic, at, epoch
     FROM zone_flips WHERE zone = $1 ORDER BY id DESC LIMIT $2`,
    [zone, limit],
  );
  return rows.map((row) => ({
    zone: row.zone,
    from: isMode(row.from_mode) ? row.from_mode : "off",
    to: isMode(row.to_mode) ? row.to_mode : "off",
    actor: row.actor,
    reason: row.reason,
    forced: row.forced,
    automatic: row.automatic,
    at: new Date(row.at),
    epoch: row.epoch,
  }));
}
