import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Mode } from "@flowzone/engine";
import { ControlRecordSchema, Mode as ProtoMode } from "@flowzone/proto";

import type { ControlSnapshot } from "./control-snapshot";

const MODES: Partial<Record<ProtoMode, Mode>> = {
  [ProtoMode.OFF]: "off",
  [ProtoMode.LOGGING]: "logging",
  [ProtoMode.ENFORCEMENT]: "enforcement",
};

const EXCEPTION_KEY = "exception/";
const ZONE_KEY = "zone/";

/**
 * Folds one record of the control topic into a snapshot (a new one; snapshots are immutable).
 * A null value is a tombstone ({@link applyTombstone}). Throws with a readable message
 * for a record that cannot be decoded or names an unknown mode; the caller logs it and goes on,
 * so one bad record never stops a replica from following later ones.
 */
export function applyControlRecord(snapshot: ControlSnapshot, key: string, value: Uint8Array | null): ControlSnapshot {
  if (value === null) return applyTombstone(snapshot, key);
  const record = fromBinary(ControlRecordSchema, value);
  const epoch = Math.max(snapshot.epoch, Number(record.epoch));
  const item = record.item;
  switch (item.case) {
    case "bundle":
      return {
        ...snapshot,
        epoch,
        bundle: {
          version: item.value.version,
          files: Object.entries(item.value.files)
            .map(([path, content]) => ({ path, content }))
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
        },
      };
    case "zoneMode": {
      const mode = MODES[item.value.mode];
      if (mode === undefined) throw new Error(`control record "${key}" has no valid mode (${item.value.mode})`);
      return { ...snapshot, epoch, zoneModes: new Map(snapshot.zoneModes).set(item.value.zone, mode) };
    }
    case "exception": {
      const { id, zone, producer, sink, expiresAt } = item.value;
      if (expiresAt === undefined) throw new Error(`control record "${key}" has an exception without expiresAt`);
      const exceptions = new Map(snapshot.exceptions).set(id, { id, zone, producer, sink, expiresAtMs: timestampMs(expiresAt) });
      return { ...snapshot, epoch, exceptions };
    }
    case undefined:
      return { ...snapshot, epoch };
  }
}

/**
 * A tombstone removes its key's item, as compaction will: for `exception/<id>` the exception is
 * revoked, for `zone/<name>` the zone has no runtime mode any more (its bundle mode applies again,
 * as for a follower that replays the topic after compaction). A tombstone carries no epoch, so
 * the epoch stays (like any record, it applies in the topic's order). A tombstone for a key the
 * snapshot does not hold, or for any other key, leaves the snapshot as it is (the same object).
 */
function applyTombstone(snapshot: ControlSnapshot, key: string): ControlSnapshot {
  if (key.startsWith(EXCEPTION_KEY)) {
    const exceptions = without(snapshot.exceptions, key.slice(EXCEPTION_KEY.length));
    return exceptions === snapshot.exceptions ? snapshot : { ...snapshot, exceptions };
  }
  if (key.startsWith(ZONE_KEY)) {
    const zoneModes = without(snapshot.zoneModes, key.slice(ZONE_KEY.length));
    return zoneModes === snapshot.zoneModes ? snapshot : { ...snapshot, zoneModes };
  }
  return snapshot;
}

/** A copy of `map` without `key`, or `map` itself when it has no such key (so nothing changed is the same object). */
function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}
