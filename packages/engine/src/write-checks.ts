import { isAssetId } from "./asset-id";
import { tooManyMessage } from "./count-bounds";
import { bytesOver, quoteStart, tooLongMessage } from "./field-bounds";
import { WriteError } from "./write-error";

/**
 * The request errors a write can have, built in one place so every service reports the same
 * codes and sentences.
 */

/**
 * Throws unless `value` is a present, well-formed asset id of at most `maxBytes`; `field` is
 * `producer` or `sink`. The length is checked first, so no over-long value is scanned further.
 */
export function checkWriteAsset(field: string, value: string, maxBytes: number): void {
  if (value === "") {
    throw new WriteError("missing_field", field, value, `${field} is missing: every write names its ${field} as an asset id such as svc:orders-api`);
  }
  checkFieldBytes(field, value, maxBytes);
  if (!isAssetId(value)) throw malformedAsset(field, value);
}

/** Throws `too_long`, quoting only the value's start, when `value` is over `maxBytes` in UTF-8. */
export function checkFieldBytes(field: string, value: string, maxBytes: number): void {
  const bytes = bytesOver(value, maxBytes);
  if (bytes !== undefined) throw new WriteError("too_long", field, quoteStart(value), tooLongMessage(field, bytes, maxBytes));
}

/**
 * Throws `over_limit` when a write lists more than `max` labels or sources (`field`); `setting`
 * names where the bound is set, e.g. "maxLabels of the bundle's Defaults". The value is the count.
 */
export function checkCount(field: string, count: number, max: number, setting: string): void {
  const error = countOverLimit(field, count, max, setting);
  if (error !== undefined) throw error;
}

/** {@link checkCount} for a caller that reports rather than throws (the enforcer quarantines). */
export function countOverLimit(field: string, count: number, max: number, setting: string): WriteError | undefined {
  return count > max ? new WriteError("over_limit", field, String(count), tooManyMessage(field, count, max, setting)) : undefined;
}

/** The error for an asset id that is not `<system>:<name>`. */
export function malformedAsset(field: string, value: string): WriteError {
  return new WriteError(
    "malformed_asset",
    field,
    value,
    `${field} "${value}" is not a well-formed asset id; use <system>:<name>, e.g. kafka:orders or svc:orders-api`,
  );
}

/** The error for a label the bundle does not declare. */
export function unknownLabel(field: string, value: string): WriteError {
  const quoted = quoteStart(value);
  return new WriteError("unknown_label", field, quoted, `${field} "${quoted}" is not a declared label; declare it in the policy bundle or fix its spelling`);
}

/** The error for a source that is not a declared Asset (or not an asset id at all). */
export function unknownSource(field: string, value: string): WriteError {
  const quoted = quoteStart(value);
  if (!isAssetId(value)) return malformedAsset(field, quoted);
  return new WriteError("unknown_source", field, quoted, `${field} "${quoted}" is not a declared asset; declare it as an Asset in the policy bundle or fix its spelling`);
}
