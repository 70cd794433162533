import type { ViolationQuery } from "@flowzone/control";

import { invalidField } from "./invalid-field";

type After = NonNullable<ViolationQuery["after"]>;

/**
 * The `cursor` of a page of violations: where the next page starts, as the last violation of this
 * one (its last-seen time and id), base64url-encoded. Opaque to clients: they pass back the
 * `nextCursor` of a page to get the one after it.
 */
export function encodeViolationCursor(last: After): string {
  return Buffer.from(`${last.lastSeen.toISOString()}|${last.id}`, "utf8").toString("base64url");
}

/** Reads a `cursor`; one this API did not write is `invalid_argument` naming `cursor`. */
export function decodeViolationCursor(cursor: string): After {
  const [time, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const lastSeen = new Date(time ?? "");
  if (rest.length > 0 || id === undefined || !/^[0-9a-f]{32}$/.test(id) || Number.isNaN(lastSeen.getTime()) || lastSeen.toISOString() !== time) {
    throw invalidField("cursor", `"cursor" must be the nextCursor of an earlier page, not ${JSON.stringify(cursor)}`);
  }
  return { lastSeen, id };
}
