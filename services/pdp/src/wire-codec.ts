/**
 * Hand-written protobuf codecs for the decision service's hot messages. protobuf-es' `toBinary`
 * and `fromBinary` walk the schema for every field of every message, and its BinaryWriter
 * allocates a chunk per string and per nested message; on the decision path that cost many
 * times the decision itself. These codecs read and write the four hot messages directly on one
 * Buffer: the writer sizes the whole message first, then fills one allocation. The output is
 * byte-for-byte what protobuf-es writes (proto3 defaults omitted, fields in number order) and
 * the reader returns what protobuf-es reads (unknown fields skipped; invalid UTF-8, which
 * protobuf-es refuses, reads as U+FFFD); the specs compare both on the same messages.
 *
 * Per check they allocate little: strings that recur (asset ids, labels) come from a table,
 * recurring violations' bytes are remembered, and responses are cut from a shared slab.
 */
import type { Message } from "@bufbuild/protobuf";
import { Slab, WireWriter, delimitedSize, stringFieldSize, utf8Length, varintFieldSize } from "@flowzone/proto";
import type { CheckBatchRequest, CheckBatchResponse, CheckRequest, CheckResponse } from "@flowzone/proto";
import { WrittenBatchResponse } from "./batch-answers";
import { recurring, violationField } from "./encoded-fields";
import { malformedMessage } from "./request-error";

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

/**
 * A CheckBatchRequest kept in wire format until its handler reads {@link requests}, which
 * decodes the bytes each time it is read. grpc-js keeps a call's request until the call ends,
 * after the answer went out; decoded there, a batch's request objects outlived the young
 * generation of the heap with every call in flight, and under load the decision service spent
 * more on collecting them than on deciding. Read by the handler, they die with its turn.
 * Bytes that are not a CheckBatchRequest are refused as INVALID_ARGUMENT when read.
 */
export class EncodedBatchRequest implements CheckBatchRequest {
  readonly $typeName = "flowzone.v1.CheckBatchRequest";

  constructor(readonly bytes: Uint8Array) {}

  /** The requests, decoded afresh from {@link bytes}. @throws FlowzoneError `invalid_argument` for malformed bytes. */
  get requests(): CheckRequest[] {
    try {
      return decodeCheckBatchRequest(this.bytes).requests;
    } catch (error) {
      throw malformedMessage("CheckBatchRequest", error);
    }
  }
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

/**
 * Where a request's repeated fields gather while it is read. The list a request gets is shared
 * with earlier requests that had the same strings in the same order, frozen: labels and sources
 * recur from request to request as much as the strings in them, and on CheckBatch a new array per
 * list was a good part of what the decision service allocated per check (each allocation brings
 * the next young-generation collection closer, and under load those copy all of grpc-js's calls
 * in flight). A list with a string that does not recur (longer than
 * {@link RECURRING_STRING_MAX_BYTES}) is a new array each time, as is one that missed the cache.
 */
class Gathered {
  private static readonly SLOTS = 1024;
  private readonly items: string[] = [];
  private count = 0;
  /** A hash of the recurring-string slots added, or -1 once a string without a slot was. */
  private key = 0;
  /** Lists handed out, direct-mapped by {@link key}: a list that hashes to a taken slot replaces what was there. */
  private readonly lists: (readonly string[] | undefined)[] = new Array<readonly string[] | undefined>(Gathered.SLOTS);

  /** Starts a gathering, forgetting one a malformed request left unfinished. */
  begin(): void {
    this.count = 0;
    this.key = 0;
  }

  /** Adds `item`, read from recurring-string slot `slot` (-1: none). */
  add(item: string, slot: number): void {
    this.items[this.count++] = item;
    this.key = slot < 0 || this.key < 0 ? -1 : Math.imul(this.key ^ slot, 0x01000193) >>> 0;
  }

  /** What was added since {@link begin}, as a frozen list. */
  take(): string[] {
    const count = this.count;
    if (count === 0) return NO_STRINGS;
    if (this.key < 0) return this.copy();
    const slot = (this.key ^ count) & (Gathered.SLOTS - 1);
    const known = this.lists[slot];
    if (known !== undefined && known.length === count && this.holds(known)) return known as string[];
    const list = this.copy();
    this.lists[slot] = list;
    return list;
  }

  private holds(list: readonly string[]): boolean {
    for (let i = 0; i < list.length; i++) if (list[i] !== this.items[i]) return false;
    return true;
  }

  private copy(): string[] {
    const list = Object.freeze(this.items.slice(0, this.count)) as string[];
    // A request with many entries would otherwise keep its strings reachable here.
    if (this.count > GATHERED_KEPT) this.items.length = 0;
    return list;
  }
}

/** The list of a request that has none of a repeated field. */
const NO_STRINGS = Object.freeze([]) as unknown as string[];

/** How many entries a gathering keeps room for between requests. */
const GATHERED_KEPT = 64;
const labelsRead = new Gathered();
const sourcesRead = new Gathered();

function readCheckRequest(reader: WireReader, end: number): CheckRequest {
  if (end > reader.bytes.length) throw new Error("premature end of a CheckRequest");
  let requestId = "";
  let producer = "";
  let sink = "";
  let purpose = "";
  labelsRead.begin();
  sourcesRead.begin();
  while (reader.pos < end) {
    const tag = reader.varint();
    if ((tag & 7) !== LEN) {
      reader.skip(tag);
      continue;
    }
    switch (tag >>> 3) {
      case 1:
        requestId = reader.string();
        break;
      case 2:
        producer = reader.recurringString();
        break;
      case 3:
        sink = reader.recurringString();
        break;
      case 4:
        labelsRead.add(reader.recurringString(), recurringStrings.lastSlot);
        break;
      case 5:
        sourcesRead.add(reader.recurringString(), recurringStrings.lastSlot);
        break;
      case 6:
        purpose = reader.recurringString();
        break;
      default:
        reader.skip(tag);
    }
  }
  const labels = labelsRead.take();
  const sources = sourcesRead.take();
  if (reader.pos !== end) throw new Error("premature end of a CheckRequest");
  return { $typeName: "flowzone.v1.CheckRequest", requestId, producer, sink, labels, sources, purpose };
}

/** Strings longer than this are decoded each time: rarely recurring, and each would hold a slot's memory. */
const RECURRING_STRING_MAX_BYTES = 64;

/**
 * The strings of the fields that recur from request to request, by their UTF-8 bytes: a
 * direct-mapped cache of 4,096 slots (a string that hashes to a taken slot replaces what was
 * there), so its memory is bounded. A hit costs a hash and a compare of a few bytes, against a
 * UTF-8 decode and a new string; and the engine, which looks these strings up in its own maps,
 * finds their hashes already computed.
 *
 * The slots' bytes sit in one table, a 64-byte row a slot: a hit reads its row and its length.
 * A Buffer per slot put two more pointers between a slot and its bytes, and under load, between
 * grpc-js's work, each was a likely cache miss: this read was the decision service's largest
 * own item in a profile under CheckBatch.
 */
class RecurringStrings {
  private static readonly SLOTS = 4096;
  private readonly rows = new Uint8Array(RecurringStrings.SLOTS * RECURRING_STRING_MAX_BYTES);
  /** Each slot's byte length, -1 while it holds nothing. */
  private readonly lengths = new Int32Array(RecurringStrings.SLOTS).fill(-1);
  private readonly texts: string[] = new Array<string>(RecurringStrings.SLOTS).fill("");
  /** The slot of the string last read, -1 for one read around the table ({@link WireReader.recurringString}). */
  lastSlot = -1;

  /** The string of `buffer[start, end)`, at most {@link RECURRING_STRING_MAX_BYTES} long. */
  read(buffer: Buffer, start: number, end: number): string {
    // FNV-1a over the bytes.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buffer[i] ?? 0), 0x01000193);
    const slot = (hash >>> 0) & (RecurringStrings.SLOTS - 1);
    this.lastSlot = slot;
    const length = end - start;
    const row = slot * RECURRING_STRING_MAX_BYTES;
    const rows = this.rows;
    if (this.lengths[slot] === length) {
      let i = 0;
      while (i < length && rows[row + i] === buffer[start + i]) i++;
      if (i === length) return this.texts[slot] ?? "";
    }
    const text = buffer.toString("utf8", start, end);
    for (let i = 0; i < length; i++) rows[row + i] = buffer[start + i] ?? 0;
    this.lengths[slot] = length;
    this.texts[slot] = text;
    return text;
  }
}

const recurringStrings = new RecurringStrings();

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
    const start = this.stringStart();
    return this.buffer.toString("utf8", start, this.pos);
  }

  /** A string that recurs from request to request (an asset id, a label, a purpose): the same string as last time when its bytes are. */
  recurringString(): string {
    const start = this.stringStart();
    if (this.pos - start <= RECURRING_STRING_MAX_BYTES) return recurringStrings.read(this.buffer, start, this.pos);
    recurringStrings.lastSlot = -1;
    return this.buffer.toString("utf8", start, this.pos);
  }

  /** Reads a string's length and steps past its bytes; returns where they start. */
  private stringStart(): number {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.bytes.length) throw new Error("premature end of a string");
    this.pos = start + length;
    return start;
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

/** Where responses are written: grpc-js copies each into its frame at once, so they need no buffer of their own. */
const responseSlab = new Slab();

/** Encodes a `CheckResponse`. */
export function encodeCheckResponse(message: Message): Uint8Array {
  const response = message as CheckResponse;
  const parts = responseParts.begin();
  const writer = new WireWriter(responseSize(response, parts), responseSlab);
  parts.nextSize(); // the response's own size: a top-level message has no length prefix
  writeResponse(writer, response, parts);
  return writer.finish();
}

/** Encodes a `CheckBatchResponse`; one the batch path wrote as it answered is sent as written. */
export function encodeCheckBatchResponse(message: Message): Uint8Array {
  if (message instanceof WrittenBatchResponse) return message.bytes;
  const responses = (message as CheckBatchResponse).responses;
  const parts = responseParts.begin();
  let total = 0;
  for (const response of responses) total += delimitedSize(responseSize(response, parts));
  const writer = new WireWriter(total, responseSlab);
  for (const response of responses) {
    writer.begin(1, parts.nextSize());
    writeResponse(writer, response, parts);
  }
  return writer.finish();
}

/**
 * What sizing a message found, in the order the writer needs it: each response's size and its
 * violations' encoded fields. Found once while sizing the whole message, so the writer does not
 * look them up again. One is shared by every encoding (each runs start to end without a pause),
 * and its arrays keep their room from message to message.
 */
class ResponseParts {
  private readonly sizes: number[] = [];
  private readonly fields: Buffer[] = [];
  private sizesWritten = 0;
  private fieldsWritten = 0;
  private sizesRead = 0;
  private fieldsRead = 0;

  /** Starts a message. */
  begin(): this {
    this.sizesWritten = 0;
    this.fieldsWritten = 0;
    this.sizesRead = 0;
    this.fieldsRead = 0;
    return this;
  }

  pushSize(size: number): number {
    this.sizes[this.sizesWritten++] = size;
    return size;
  }

  pushField(field: Buffer): number {
    this.fields[this.fieldsWritten++] = field;
    return field.length;
  }

  nextSize(): number {
    return this.sizesRead < this.sizesWritten ? (this.sizes[this.sizesRead++] ?? 0) : 0;
  }

  nextField(): Buffer {
    const field = this.fieldsRead < this.fieldsWritten ? this.fields[this.fieldsRead++] : undefined;
    if (field === undefined) throw new Error("wire codec: a violation was written that was not sized");
    return field;
  }
}

const responseParts = new ResponseParts();

function writeResponse(writer: WireWriter, response: CheckResponse, parts: ResponseParts): void {
  writer.stringField(1, response.requestId, utf8Length(response.requestId));
  writer.varintField(2, response.decision);
  writer.stringField(3, response.decisionId, utf8Length(response.decisionId));
  writer.bytesField(4, recurring(response.policyVersion));
  for (let i = 0; i < response.violations.length; i++) writer.raw(parts.nextField());
}

/** The response's size, recorded in `parts` with its violations' fields. */
function responseSize(response: CheckResponse, parts: ResponseParts): number {
  let size =
    stringFieldSize(utf8Length(response.requestId)) +
    varintFieldSize(response.decision) +
    stringFieldSize(utf8Length(response.decisionId)) +
    stringFieldSize(recurring(response.policyVersion).length);
  for (const violation of response.violations) size += parts.pushField(violationField(violation));
  return parts.pushSize(size);
}

/** The hand codecs of every DecisionService method, for grpc-kit's `serviceDefinition`. */
export const DECISION_CODECS = {
  check: { decodeRequest: decodeCheckRequest, encodeResponse: encodeCheckResponse },
  checkBatch: { decodeRequest: (bytes: Uint8Array) => new EncodedBatchRequest(bytes), encodeResponse: encodeCheckBatchResponse },
  checkStream: { decodeRequest: decodeCheckRequest, encodeResponse: encodeCheckResponse },
} as const;
