/**
 * The control plane's one edge to `flowzone.v1.ControlRecord` (the compacted control topic).
 * Keys: "bundle", "zone/<name>", "exception/<id>"; a revoked exception is a tombstone (null value).
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Mode } from "@flowzone/engine";
import {
  BundleItemSchema,
  ControlRecordSchema,
  ExceptionItemSchema,
  Mode as ProtoMode,
  ZoneModeItemSchema,
  type ControlRecord,
} from "@flowzone/proto";

/** One item of the control topic, as plain data. */
export type ControlItem =
  | { readonly kind: "bundle"; readonly version: string; readonly files: Readonly<Record<string, string>> }
  | { readonly kind: "zone_mode"; readonly zone: string; readonly mode: Mode }
  | {
      readonly kind: "exception";
      readonly id: string;
      readonly zone: string;
      readonly producer: string;
      readonly sink: string;
      readonly expiresAtMs: number;
    }
  /** Published as a tombstone: compaction then forgets the exception. */
  | { readonly kind: "exception_revoked"; readonly id: string };

/** A control item with the control epoch after its change. */
export interface ControlChange {
  readonly item: ControlItem;
  readonly epoch: number;
}

/** A control-topic record ready for Kafka; `value` null is a tombstone. */
export interface EncodedControl {
  readonly key: string;
  readonly value: Buffer | null;
}

const TO_PROTO: Record<Mode, ProtoMode> = { off: ProtoMode.OFF, logging: ProtoMode.LOGGING, enforcement: ProtoMode.ENFORCEMENT };
const FROM_PROTO: Partial<Record<ProtoMode, Mode>> = { [ProtoMode.OFF]: "off", [ProtoMode.LOGGING]: "logging", [ProtoMode.ENFORCEMENT]: "enforcement" };

/** The compaction key of an item: the latest record per key is the item's current state. */
export function controlKey(item: ControlItem): string {
  switch (item.kind) {
    case "bundle":
      return "bundle";
    case "zone_mode":
      return `zone/${item.zone}`;
    case "exception":
    case "exception_revoked":
      return `exception/${item.id}`;
  }
}

/** Encodes one change for the control topic. */
export function encodeControlChange(change: ControlChange): EncodedControl {
  const { item, epoch } = change;
  const key = controlKey(item);
  if (item.kind === "exception_revoked") return { key, value: null };
  const record = create(ControlRecordSchema, { epoch: BigInt(epoch), item: protoItem(item) });
  return { key, value: Buffer.from(toBinary(ControlRecordSchema, record)) };
}

function protoItem(item: Exclude<ControlItem, { kind: "exception_revoked" }>): ControlRecord["item"] {
  switch (item.kind) {
    case "bundle":
      return { case: "bundle", value: create(BundleItemSchema, { version: item.version, files: { ...item.files } }) };
    case "zone_mode":
      return { case: "zoneMode", value: create(ZoneModeItemSchema, { zone: item.zone, mode: TO_PROTO[item.mode] }) };
    case "exception":
      return {
        case: "exception",
        value: create(ExceptionItemSchema, {
          id: item.id,
          zone: item.zone,
          producer: item.producer,
          sink: item.sink,
          expiresAt: timestampFromMs(item.expiresAtMs),
        }),
      };
  }
}

/**
 * Decodes one control-topic record (followers and tests read the topic back with it). A null
 * value under `exception/<id>` is the revocation tombstone (epoch unknown: reported as -1).
 * Throws on bytes that are not a ControlRecord or an item this version does not know.
 */
export function decodeControlRecord(key: string, value: Uint8Array | null): ControlChange {
  if (value === null) {
    if (!key.startsWith("exception/")) throw new Error(`tombstone under key "${key}": only exceptions are revoked`);
    return { item: { kind: "exception_revoked", id: key.slice("exception/".length) }, epoch: -1 };
  }
  const record = fromBinary(ControlRecordSchema, value);
  const epoch = Number(record.epoch);
  const item = record.item;
  switch (item.case) {
    case "bundle":
      return { item: { kind: "bundle", version: item.value.version, files: { ...item.value.files } }, epoch };
    case "zoneMode": {
      const mode = FROM_PROTO[item.value.mode];
      if (mode === undefined) throw new Error(`zone mode item "${key}" has no mode`);
      return { item: { kind: "zone_mode", zone: item.value.zone, mode }, epoch };
    }
    case "exception": {
      const e = item.value;
      const expiresAtMs = e.expiresAt === undefined ? 0 : timestampDate(e.expiresAt).getTime();
      return { item: { kind: "exception", id: e.id, zone: e.zone, producer: e.producer, sink: e.sink, expiresAtMs }, epoch };
    }
    case undefined:
      throw new Error(`control record "${key}" carries no item`);
  }
}
