/**
 * How long one name may be: an asset id, a producer, a sink, a purpose, a label. Names are short
 * by nature; a bound keeps one hostile request from making audit records, log lines, error
 * messages and the control plane's violation signatures as large as the transport allows.
 */

/** The bound unless the bundle's Defaults set `maxFieldBytes`. */
export const DEFAULT_MAX_FIELD_BYTES = 256;

/**
 * Bounds the Defaults document may set `maxFieldBytes` to: at most the decision service's
 * largest message (4 MiB), where a bound no longer bounds anything a request can carry.
 */
export const MAX_FIELD_BYTES_RANGE = { min: 16, max: 4 * 1024 * 1024 } as const;

/** Characters of an over-long value quoted in an error: enough to recognise it. */
const QUOTED_CHARS = 64;

/** The UTF-8 length of `value` when it is over `maxBytes`, else undefined (cheap for short values). */
export function bytesOver(value: string, maxBytes: number): number | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most values need no count at all.
  if (value.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(value, "utf8");
  return bytes > maxBytes ? bytes : undefined;
}

/** The start of an over-long value, marked as cut, to quote in an error. */
export function quoteStart(value: string): string {
  return value.length <= QUOTED_CHARS ? value : `${value.slice(0, QUOTED_CHARS)}…`;
}

/** The sentence for a value over the bound. */
export function tooLongMessage(field: string, bytes: number, maxBytes: number): string {
  return `${field} is ${bytes} bytes long; the longest accepted is ${maxBytes} bytes (maxFieldBytes of the bundle's Defaults)`;
}
