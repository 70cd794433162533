import { crc32 } from "node:zlib";

import type { EncodedAuditRecord } from "./audit-record";

/**
 * One spooled record on disk: `[u32 body length][u32 crc32(body)][body]`, body =
 * `[u16 key length][key utf8][value]`, all big-endian. The length prefix lets a reader walk the
 * file; the checksum tells a frame torn by a crash (or bit rot) from a good one, so a reader
 * keeps every good frame before it and never hands Kafka a half-written record.
 */
export const FRAME_HEADER_BYTES = 8;

/** A length above this is garbage (a torn or foreign file), not a record. */
export const MAX_FRAME_BODY_BYTES = 16 * 1024 * 1024;

const KEY_LENGTH_BYTES = 2;
const MAX_KEY_BYTES = 0xffff;

/** The result of reading frames from a buffer: the good prefix and where it ends. */
export interface DecodedFrames {
  readonly records: EncodedAuditRecord[];
  /** Bytes of the buffer consumed by the complete, valid frames in `records`. */
  readonly endOffset: number;
  /**
   * Why reading stopped before the end of the buffer: `incomplete` (the buffer ends inside a
   * frame: a torn tail, or simply not read yet) or `corrupt` (a bad length or checksum).
   */
  readonly stop: "end" | "incomplete" | "corrupt";
}

/** Bytes the frame of `record` takes on disk. */
export function frameBytes(record: EncodedAuditRecord): number {
  return FRAME_HEADER_BYTES + KEY_LENGTH_BYTES + Buffer.byteLength(record.key, "utf8") + record.value.length;
}

/** Encodes records as consecutive frames in one buffer (one write for many records). */
export function encodeFrames(records: readonly EncodedAuditRecord[]): Buffer {
  const out = Buffer.allocUnsafe(records.reduce((sum, r) => sum + frameBytes(r), 0));
  let at = 0;
  for (const record of records) {
    const keyBytes = Buffer.byteLength(record.key, "utf8");
    if (keyBytes > MAX_KEY_BYTES) throw new RangeError(`audit record key is ${keyBytes} bytes; the spool holds keys up to ${MAX_KEY_BYTES}`);
    const bodyLength = KEY_LENGTH_BYTES + keyBytes + record.value.length;
    if (bodyLength > MAX_FRAME_BODY_BYTES) throw new RangeError(`audit record is ${bodyLength} bytes; the spool holds records up to ${MAX_FRAME_BODY_BYTES}`);
    const body = at + FRAME_HEADER_BYTES;
    out.writeUInt32BE(bodyLength, at);
    out.writeUInt16BE(keyBytes, body);
    out.write(record.key, body + KEY_LENGTH_BYTES, "utf8");
    record.value.copy(out, body + KEY_LENGTH_BYTES + keyBytes);
    out.writeUInt32BE(crc32(out.subarray(body, body + bodyLength)), at + 4);
    at = body + bodyLength;
  }
  return out;
}

/** Reads up to `maxRecords` complete, valid frames from the start of `buffer`. */
export function decodeFrames(buffer: Buffer, maxRecords = Number.POSITIVE_INFINITY): DecodedFrames {
  const records: EncodedAuditRecord[] = [];
  let at = 0;
  while (records.length < maxRecords) {
    if (at === buffer.length) return { records, endOffset: at, stop: "end" };
    if (buffer.length - at < FRAME_HEADER_BYTES) return { records, endOffset: at, stop: "incomplete" };
    const bodyLength = buffer.readUInt32BE(at);
    if (bodyLength < KEY_LENGTH_BYTES || bodyLength > MAX_FRAME_BODY_BYTES) return { records, endOffset: at, stop: "corrupt" };
    const body = at + FRAME_HEADER_BYTES;
    if (buffer.length - body < bodyLength) return { records, endOffset: at, stop: "incomplete" };
    const bodyBytes = buffer.subarray(body, body + bodyLength);
    if (crc32(bodyBytes) !== buffer.readUInt32BE(at + 4)) return { records, endOffset: at, stop: "corrupt" };
    const keyBytes = bodyBytes.readUInt16BE(0);
    if (KEY_LENGTH_BYTES + keyBytes > bodyLength) return { records, endOffset: at, stop: "corrupt" };
    records.push({
      key: bodyBytes.toString("utf8", KEY_LENGTH_BYTES, KEY_LENGTH_BYTES + keyBytes),
      // A copy: the caller's read buffer is reused, the record outlives it.
      value: Buffer.from(bodyBytes.subarray(KEY_LENGTH_BYTES + keyBytes)),
    });
    at = body + bodyLength;
  }
  return { records, endOffset: at, stop: "end" };
}
