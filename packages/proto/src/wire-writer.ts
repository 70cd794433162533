/**
 * Protobuf wire writing for flowzone's hand-written encoders of hot messages (the audit trail's
 * violation records, the decision service's responses): the caller sums the sizes below over its
 * fields first, then writes them into one Buffer of exactly that size. protobuf-es' BinaryWriter
 * instead allocates a chunk per string and per nested message (fork/join) and copies them
 * together at the end. Each encoder's spec compares its bytes with `toBinary`'s.
 *
 * Tags are one byte: every field number written is below 16.
 */
const VARINT = 0;
const LEN = 2;

/** Size of a varint of an int32, int64 or enum given as a safe integer; negatives take ten bytes, as two's complement. */
export function varintSize(value: number): number {
  if (value < 0) return 10;
  // Lengths, enums and tags: the common cases without a loop.
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
  return size;
}

/** Size of a varint of an int64 given as a bigint (negatives as two's complement). */
export function varint64Size(value: bigint): number {
  let size = 1;
  for (let rest = BigInt.asUintN(64, value); rest >= 0x80n; rest >>= 7n) size++;
  return size;
}

/** Size of a varint field (tag and value) omitted when 0, as proto3 leaves defaults out. */
export function varintFieldSize(value: number): number {
  return value === 0 ? 0 : 1 + varintSize(value);
}

/** Size of a length-delimited field whose content is `length` bytes (always written). */
export function delimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/** Size of a string field omitted when empty; `length` is its UTF-8 byte length. */
export function stringFieldSize(length: number): number {
  return length === 0 ? 0 : delimitedSize(length);
}

/** Size of the elements of a repeated string field; empty elements are written. */
export function repeatedStringSize(values: readonly string[]): number {
  let size = 0;
  for (const value of values) size += delimitedSize(Buffer.byteLength(value, "utf8"));
  return size;
}

/** Writes into one Buffer sized beforehand by the functions above. */
export class WireWriter {
  readonly buffer: Buffer;
  private pos = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** The buffer, after checking that the sizes summed beforehand were what was written. */
  finish(): Buffer {
    if (this.pos !== this.buffer.length) throw new Error(`wire writer: sized ${this.buffer.length} bytes, wrote ${this.pos}`);
    return this.buffer;
  }

  tag(field: number, wireType: number): void {
    this.buffer[this.pos++] = (field << 3) | wireType;
  }

  /** A varint of a safe integer; negatives as 64-bit two's complement, as protobuf writes int32 and int64. */
  varint(value: number): void {
    if (value < 0) {
      this.varint64(BigInt(value));
      return;
    }
    if (value <= 0x7fffffff) {
      // Below 2^31 the shifts of 32-bit arithmetic are exact, and cheaper than division.
      let small = value;
      while (small > 0x7f) {
        this.buffer[this.pos++] = (small & 0x7f) | 0x80;
        small >>>= 7;
      }
      this.buffer[this.pos++] = small;
      return;
    }
    let rest = value;
    while (rest >= 0x80) {
      // `&` takes the low 32 bits, whose low 7 are the value's.
      this.buffer[this.pos++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.pos++] = rest;
  }

  /** A varint of an int64 past the safe integers (a 64-bit Kafka offset) or negative. */
  varint64(value: bigint): void {
    let rest = BigInt.asUintN(64, value);
    while (rest >= 0x80n) {
      this.buffer[this.pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.pos++] = Number(rest);
  }

  /** A varint field, omitted when 0. */
  varintField(field: number, value: number): void {
    if (value === 0) return;
    this.tag(field, VARINT);
    this.varint(value);
  }

  /** A varint field of an int64 given as a bigint (past the safe integers, or negative). */
  varint64Field(field: number, value: bigint): void {
    this.tag(field, VARINT);
    this.varint64(value);
  }

  /** A string field of known UTF-8 length, omitted when empty. */
  stringField(field: number, value: string, length: number): void {
    if (length === 0) return;
    this.tag(field, LEN);
    this.varint(length);
    this.pos += this.buffer.write(value, this.pos, length, "utf8");
  }

  /** A string field already in UTF-8, omitted when empty unless `always` (an element of a repeated field). */
  bytesField(field: number, bytes: Uint8Array, always = false): void {
    if (bytes.length === 0 && !always) return;
    this.tag(field, LEN);
    this.varint(bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** The elements of a repeated string field, empty ones included. */
  repeatedString(field: number, values: readonly string[]): void {
    for (const value of values) {
      this.tag(field, LEN);
      this.varint(Buffer.byteLength(value, "utf8"));
      this.pos += this.buffer.write(value, this.pos, "utf8");
    }
  }

  /** The tag and length of a nested message, whose fields the caller writes next. */
  begin(field: number, length: number): void {
    this.tag(field, LEN);
    this.varint(length);
  }
}
