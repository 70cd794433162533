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

/** Strings up to this many UTF-16 units are measured and written in JavaScript: cheaper than a call into C++ for the short ids of the hot messages. */
const SHORT_STRING = 48;

/** The UTF-8 length of a string: Buffer.byteLength, without the call for a short ASCII string. */
export function utf8Length(value: string): number {
  if (value.length > SHORT_STRING) return Buffer.byteLength(value, "utf8");
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 0x80) return Buffer.byteLength(value, "utf8");
  return value.length;
}

/**
 * Memory for messages that are copied as soon as they are written (the decision service's
 * responses, which grpc-js copies into its frame): cut from one shared slab, as Node's Buffer
 * pool does for small buffers, rather than one ArrayBuffer each. A message keeps its slab alive
 * as long as it is referenced, so messages kept for long must not come from here.
 */
export class Slab {
  private slab: Buffer;
  private used = 0;

  /** @param bytes the size of each slab; a message over a quarter of it gets its own buffer. */
  constructor(private readonly bytes = 256 * 1024) {
    this.slab = Buffer.allocUnsafeSlow(bytes);
  }

  take(size: number): Buffer {
    if (size > this.bytes >>> 2) return Buffer.allocUnsafe(size);
    if (this.used + size > this.bytes) {
      this.slab = Buffer.allocUnsafeSlow(this.bytes);
      this.used = 0;
    }
    const taken = this.slab.subarray(this.used, this.used + size);
    // Eight-byte aligned, as Node's pool does.
    this.used = (this.used + size + 7) & ~7;
    return taken;
  }
}

/** Writes into one Buffer sized beforehand by the functions above. */
export class WireWriter {
  readonly buffer: Buffer;
  private pos = 0;

  /** A message of `size` bytes, in a buffer taken from `slab` (by default a buffer of its own). */
  constructor(size: number, slab?: Slab);
  /** Messages written into `buffer` from `at` on: the caller keeps track of its room ({@link position}). */
  constructor(buffer: Buffer, at: number);
  constructor(sizeOrBuffer: number | Buffer, slabOrAt?: Slab | number) {
    if (typeof sizeOrBuffer !== "number") {
      this.buffer = sizeOrBuffer;
      this.pos = typeof slabOrAt === "number" ? slabOrAt : 0;
    } else {
      this.buffer = slabOrAt instanceof Slab ? slabOrAt.take(sizeOrBuffer) : Buffer.allocUnsafe(sizeOrBuffer);
    }
  }

  /** Where the next byte goes. */
  get position(): number {
    return this.pos;
  }

  /** Steps past `length` bytes that the caller wrote into {@link buffer} at {@link position} itself. */
  skip(length: number): void {
    this.pos += length;
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
    if (length === value.length && length <= SHORT_STRING) {
      // As many bytes as UTF-16 units: every unit is ASCII (any other takes two bytes or more).
      for (let i = 0; i < length; i++) this.buffer[this.pos++] = value.charCodeAt(i);
      return;
    }
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

  /** Bytes already in wire format: a whole field encoded earlier. */
  raw(bytes: Uint8Array): void {
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
