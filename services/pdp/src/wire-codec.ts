/**
 * Hand-written protobuf codecs for the decision service's hot messages. protobuf-es' `toBinary`
 * and `fromBinary` walk the schema for every field of every message, and its BinaryWriter
 * allocates a chunk per string and per nested message; on the decision path that cost many
 * times the decision itself. These codecs read and write the four hot messages directly on one
 * Buffer: the writer sizes the whole message first, then fills one allocation. The output is
 * byte-for-byte what protobuf-es writes (proto3 defaults omitted, fields in number order) and
 * the reader returns what protobuf-es reads (unknown fields skipped); the specs compare both on
 * the same messages.
 */
import type { Message } from "@bufbuild/protobuf";
import { WireWriter, delimitedSize, stringFieldSize, varintFieldSize } from "@flowzone/proto";
import type { CheckBatchRequest, CheckBatchResponse, CheckRequest, CheckResponse, Violation } from "@flowzone/proto";

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const I32 = 5;
/** How deeply unknown groups may nest, as protobuf-es' default recursion limit. */
const MAX_GROUP_DEPTH = 100;

/**
 * The field numbers each hand codec reads or writes, by message. Kept by hand beside the code
 * above; wire-codec-fields.spec.ts compares it with the schemas generated from proto/, so a field
 * added there fails a test until the codec handles it.
 */
export const CODEC_FIELDS: Readonly<Record<string, readonly number[]>> = {
  "flowzone.v1.CheckRequest": [1, 2, 3, 4, 5, 6],
  "flowzone.v1.CheckBatchRequest": [1],
  "flowzone.v1.CheckResponse": [1, 2, 3, 4, 5],
  "flowzone.v1.Violation": [1, 2, 3, 4, 5, 6],
  "flowzone.v1.CheckBatchResponse": [1],
};

/** Decodes a `CheckRequest`. */
export function decodeCheckRequest(bytes: Uint8Array): CheckRequest {
  const reader = new WireReader(bytes);
  return readCheckRequest(reader, bytes.length);
}

/** Decodes a `CheckBatchRequest`. */
export function decodeCheckBatchRequest(bytes: Uint8Array): CheckBatchRequest {
  const reader = new WireReader(bytes);
  const requests: CheckRequest[] = [];
  while (reader.pos < bytes.length) {
    const tag = reader.varint();
    if (tag === ((1 << 3) | LEN)) {
      const length = reader.varint();
      requests.push(readCheckRequest(reader, reader.pos + length));
    } else {
      reader.skip(tag);
    }
  }
  return { $typeName: "flowzone.v1.CheckBatchRequest", requests };
}

function readCheckRequest(reader: WireReader, end: number): CheckRequest {
  if (end > reader.bytes.length) throw new Error("premature end of a CheckRequest");
  const request: CheckRequest = {
    $typeName: "flowzone.v1.CheckRequest",
    requestId: "",
    producer: "",
    sink: "",
    labels: [],
    sources: [],
    purpose: "",
  };
  while (reader.pos < end) {
    const tag = reader.varint();
    if ((tag & 7) !== LEN) {
      reader.skip(tag);
      continue;
    }
    switch (tag >>> 3) {
      case 1:
        request.requestId = reader.string();
        break;
      case 2:
        request.producer = reader.string();
        break;
      case 3:
        request.sink = reader.string();
        break;
      case 4:
        request.labels.push(reader.string());
        break;
      case 5:
        request.sources.push(reader.string());
        break;
      case 6:
        request.purpose = reader.string();
        break;
      default:
        reader.skip(tag);
    }
  }
  if (reader.pos !== end) throw new Error("premature end of a CheckRequest");
  return request;
}

/** Reads protobuf wire format from one buffer; throws on truncated or malformed input. */
class WireReader {
  pos = 0;
  private readonly buffer: Buffer;

  constructor(readonly bytes: Uint8Array) {
    this.buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A varint of up to 32 bits (tags and lengths); longer ones are read and truncated. */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.bytes.length) throw new Error("premature end of a varint");
      const byte = this.bytes[this.pos++] ?? 0;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) return result >>> 0;
    }
    throw new Error("malformed varint");
  }

  string(): string {
    const length = this.varint();
    const end = this.pos + length;
    if (end > this.bytes.length) throw new Error("premature end of a string");
    const text = this.buffer.toString("utf8", this.pos, end);
    this.pos = end;
    return text;
  }

  /** Skips the value of the field with `tag`; a group (wire type 3) up to its end tag, as protobuf-es does. */
  skip(tag: number, depth = 0): void {
    const wireType = tag & 7;
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case I64:
        this.pos += 8;
        break;
      case LEN: {
        // Length first: `this.pos += this.varint()` would add it to pos as it was before the varint.
        const length = this.varint();
        this.pos += length;
        break;
      }
      case I32:
        this.pos += 4;
        break;
      case START_GROUP:
        if (depth >= MAX_GROUP_DEPTH) throw new Error("unknown groups nested too deeply");
        for (;;) {
          const inner = this.varint();
          if ((inner & 7) === END_GROUP) {
            if (inner >>> 3 !== tag >>> 3) throw new Error("invalid end group tag");
            break;
          }
          this.skip(inner, depth + 1);
        }
        break;
      default:
        throw new Error(`cannot skip wire type ${wireType}`);
    }
    if (this.pos > this.bytes.length) throw new Error("premature end of a skipped field");
  }
}

/** Encodes a `CheckResponse`. */
export function encodeCheckResponse(message: Message): Uint8Array {
  const response = message as CheckResponse;
  const sizes = new SizeList();
  const writer = new WireWriter(responseSize(response, sizes));
  sizes.next(); // the response's own size: a top-level message has no length prefix
  writeResponse(writer, response, sizes);
  return writer.finish();
}

/** Encodes a `CheckBatchResponse`. */
export function encodeCheckBatchResponse(message: Message): Uint8Array {
  const responses = (message as CheckBatchResponse).responses;
  const sizes = new SizeList();
  let total = 0;
  for (const response of responses) total += delimitedSize(responseSize(response, sizes));
  const writer = new WireWriter(total);
  for (const response of responses) {
    writer.begin(1, sizes.next());
    writeResponse(writer, response, sizes);
  }
  return writer.finish();
}

/**
 * The sizes of the nested messages of one encoding, in the order the writer needs them: each
 * response's size, then its violations'. Measured once while sizing the whole message, so the
 * writer does not measure them again (each measure looks up every recurring string).
 */
class SizeList {
  private readonly sizes: number[] = [];
  private read = 0;

  /** Reserves the next place, for a size known only after its parts'. */
  reserve(): number {
    this.sizes.push(0);
    return this.sizes.length - 1;
  }

  set(place: number, size: number): number {
    this.sizes[place] = size;
    return size;
  }

  push(size: number): number {
    this.sizes.push(size);
    return size;
  }

  next(): number {
    return this.sizes[this.read++] ?? 0;
  }
}

function writeResponse(writer: WireWriter, response: CheckResponse, sizes: SizeList): void {
  writer.stringField(1, response.requestId, Buffer.byteLength(response.requestId, "utf8"));
  writer.varintField(2, response.decision);
  writer.stringField(3, response.decisionId, Buffer.byteLength(response.decisionId, "utf8"));
  writer.bytesField(4, recurring(response.policyVersion));
  for (const violation of response.violations) {
    writer.begin(5, sizes.next());
    writer.bytesField(1, recurring(violation.zone));
    writer.bytesField(2, recurring(violation.rule));
    writer.varintField(3, violation.mode);
    writer.varintField(4, violation.enforced ? 1 : 0);
    for (const label of violation.labels) writer.bytesField(5, recurring(label), true);
    writer.bytesField(6, recurring(violation.reason));
  }
}

/** The response's size, recorded in `sizes` before its violations' (the order the writer reads them in). */
function responseSize(response: CheckResponse, sizes: SizeList): number {
  const place = sizes.reserve();
  let size =
    stringFieldSize(Buffer.byteLength(response.requestId, "utf8")) +
    varintFieldSize(response.decision) +
    stringFieldSize(Buffer.byteLength(response.decisionId, "utf8")) +
    stringFieldSize(recurring(response.policyVersion).length);
  for (const violation of response.violations) size += delimitedSize(sizes.push(violationSize(violation)));
  return sizes.set(place, size);
}

function violationSize(violation: Violation): number {
  let size =
    stringFieldSize(recurring(violation.zone).length) +
    stringFieldSize(recurring(violation.rule).length) +
    varintFieldSize(violation.mode) +
    varintFieldSize(violation.enforced ? 1 : 0) +
    stringFieldSize(recurring(violation.reason).length);
  for (const label of violation.labels) size += delimitedSize(recurring(label).length);
  return size;
}

/**
 * The UTF-8 bytes of a string that recurs from response to response: the policy version, zone
 * and rule names, labels, and reasons (the engine reuses one reason string per zone, rule and
 * sink). Bounded: past the limit the cache starts over.
 */
const RECURRING_LIMIT = 10_000;
const recurringBytes = new Map<string, Buffer>();

function recurring(text: string): Buffer {
  let bytes = recurringBytes.get(text);
  if (bytes === undefined) {
    if (recurringBytes.size >= RECURRING_LIMIT) recurringBytes.clear();
    bytes = Buffer.from(text, "utf8");
    recurringBytes.set(text, bytes);
  }
  return bytes;
}

/** The hand codecs of every DecisionService method, for grpc-kit's `serviceDefinition`. */
export const DECISION_CODECS = {
  check: { decodeRequest: decodeCheckRequest, encodeResponse: encodeCheckResponse },
  checkBatch: { decodeRequest: decodeCheckBatchRequest, encodeResponse: encodeCheckBatchResponse },
  checkStream: { decodeRequest: decodeCheckRequest, encodeResponse: encodeCheckResponse },
} as const;
