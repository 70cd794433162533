import type { Located, MapReader } from "./map-reader";
import { checkAssetId, unique } from "./validate-common";

/** A `kind: Asset` document with the lines needed for duplicate and undeclared-label reports. */
export interface RawAsset {
  readonly id: Located<string> | undefined;
  readonly labels: readonly Located<string>[];
  readonly owner: string | undefined;
}

const KEYS = ["kind", "id", "labels", "owner"] as const;

/** Validates an Asset document, reporting every problem it finds (labels are checked against the bundle later). */
export function validateAsset(reader: MapReader): RawAsset {
  reader.subject = "an Asset document";
  const id = reader.string("id", true);
  if (id !== undefined) {
    reader.subject = `asset "${id.value}"`;
    checkAssetId(reader, id, "id");
  }
  reader.rejectUnknownKeys(KEYS);
  return {
    id,
    labels: unique(reader.stringList("labels") ?? []),
    owner: reader.string("owner")?.value,
  };
}
