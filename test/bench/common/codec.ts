/**
 * Wire codecs for the load generator. Requests are encoded once, before any measurement; responses
 * are decoded just far enough to count denies, with the same BinaryReader for every server, so the
 * client spends about the same per check whoever answers.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { CheckBatchRequestSchema, CheckRequestSchema } from "@flowzone/proto";
import type { WorkloadRequest } from "./workload";
import { CERBOS_ACTION, CERBOS_RESOURCE_KIND } from "./workload";

/** flowzone.v1.Decision.DECISION_DENY */
const FLOWZONE_DENY = 2;
const FLOWZONE_ALLOW = 1;
/** cerbos.effect.v1.Effect */
const CERBOS_ALLOW = 1;
const CERBOS_DENY = 2;

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function checkRequest(r: WorkloadRequest) {
  return create(CheckRequestSchema, {
    requestId: r.requestId,
    producer: r.producer,
    sink: r.sink,
    labels: [...r.labels],
    sources: [...r.sources],
    purpose: r.purpose,
  });
}

export function encodeFlowzoneCheck(r: WorkloadRequest): Buffer {
  return toBuffer(toBinary(CheckRequestSchema, checkRequest(r)));
}

export function encodeFlowzoneBatch(rs: readonly WorkloadRequest[]): Buffer {
  return toBuffer(toBinary(CheckBatchRequestSchema, create(CheckBatchRequestSchema, { requests: rs.map(checkRequest) })));
}

export interface DecodedCheck {
  readonly requestId: string;
  readonly deny: boolean;
}

function readFlowzoneResponse(reader: BinaryReader, end: number): DecodedCheck {
  let requestId = "";
  let decision = 0;
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) requestId = reader.string();
    else if (field === 2 && wireType === WireType.Varint) decision = reader.int32();
    else reader.skip(wireType, field);
  }
  if (decision !== FLOWZONE_ALLOW && decision !== FLOWZONE_DENY) {
    throw new Error(`response for request ${requestId} carries decision ${decision}, neither ALLOW nor DENY`);
  }
  return { requestId, deny: decision === FLOWZONE_DENY };
}

/** flowzone.v1.CheckResponse → its request id and whether it denies. */
export function decodeFlowzoneCheck(buf: Uint8Array): DecodedCheck {
  const reader = new BinaryReader(buf);
  return readFlowzoneResponse(reader, reader.len);
}

/** flowzone.v1.CheckBatchResponse → deny flags in response order into out[base..]; returns the count. */
export function decodeFlowzoneBatch(buf: Uint8Array, out: Uint8Array, base: number): number {
  const reader = new BinaryReader(buf);
  let n = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      const len = reader.uint32();
      out[base + n] = readFlowzoneResponse(reader, reader.pos + len).deny ? 1 : 0;
      n++;
    } else reader.skip(wireType, field);
  }
  return n;
}

/**
 * How many answers of a flowzone.v1.CheckBatchResponse deny, read off its bytes without decoding
 * strings: the in-process diagnostic checks its decisions with it, at a few nanoseconds a check.
 */
export function countFlowzoneBatchDenies(buf: Uint8Array): number {
  const VARINT = 0;
  const LEN = 2;
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = buf[pos++];
      if (byte === undefined || shift > 28) throw new Error(`CheckBatchResponse: bad varint at byte ${pos - 1}`);
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
  };
  let denies = 0;
  while (pos < buf.length) {
    if (varint() !== ((1 << 3) | LEN)) throw new Error(`CheckBatchResponse: byte ${pos - 1} does not start an answer`);
    const length = varint();
    const end = pos + length;
    let decision = 0;
    while (pos < end) {
      const tag = varint();
      if (tag === ((2 << 3) | VARINT)) decision = varint();
      else if ((tag & 7) === LEN) {
        const length = varint();
        pos += length;
      }
      else if ((tag & 7) === VARINT) varint();
      else throw new Error(`CheckBatchResponse: unexpected wire type ${tag & 7} at byte ${pos - 1}`);
    }
    if (decision !== FLOWZONE_ALLOW && decision !== FLOWZONE_DENY) throw new Error(`CheckBatchResponse: an answer carries decision ${decision}, neither ALLOW nor DENY`);
    if (decision === FLOWZONE_DENY) denies++;
  }
  return denies;
}

/** The request id (field 1) of a flowzone.v1.CheckRequest, read without decoding the rest. */
export function peekRequestId(buf: Uint8Array, offset = 0): string {
  const reader = new BinaryReader(buf.subarray(offset));
  const [field, wireType] = reader.tag();
  if (field !== 1 || wireType !== WireType.LengthDelimited) throw new Error("request does not start with request_id");
  return reader.string();
}

/** The request id of the first CheckRequest inside a flowzone.v1.CheckBatchRequest. */
export function peekFirstBatchRequestId(buf: Uint8Array): string {
  const reader = new BinaryReader(buf);
  const [field, wireType] = reader.tag();
  if (field !== 1 || wireType !== WireType.LengthDelimited) throw new Error("batch does not start with requests");
  reader.uint32();
  return peekRequestId(buf, reader.pos);
}

// --- Cerbos (cerbos.request.v1.CheckResourcesRequest / cerbos.response.v1.CheckResourcesResponse) ---
// Field numbers from the Cerbos API protos (request.proto, response.proto, engine.proto).

function writeStringListValue(w: BinaryWriter, values: readonly string[]): void {
  // google.protobuf.Value { list_value = 6: ListValue { values = 1: Value { string_value = 3 } } }
  w.tag(6, WireType.LengthDelimited).fork();
  for (const v of values) w.tag(1, WireType.LengthDelimited).fork().tag(3, WireType.LengthDelimited).string(v).join();
  w.join();
}

function writeAttr(w: BinaryWriter, field: number, key: string, value: (w: BinaryWriter) => void): void {
  // map<string, google.protobuf.Value> entry { key = 1, value = 2 }
  w.tag(field, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(key);
  w.tag(2, WireType.LengthDelimited).fork();
  value(w);
  w.join();
  w.join();
}

/**
 * One CheckResourcesRequest deciding every write of `rs` (one resource each, action "write").
 * Cerbos has one principal per call: the first write's producer; each resource also carries its
 * own producer. The zones-20 policy does not look at producers, so this changes no decision.
 */
export function encodeCerbosCheck(rs: readonly WorkloadRequest[]): Buffer {
  const first = rs[0];
  if (first === undefined) throw new Error("empty Cerbos request");
  const w = new BinaryWriter();
  w.tag(1, WireType.LengthDelimited).string(`bench-${first.requestId}`); // request_id
  w.tag(3, WireType.LengthDelimited).fork(); // principal: engine.v1.Principal
  w.tag(1, WireType.LengthDelimited).string(first.producer); // id
  w.tag(3, WireType.LengthDelimited).string("producer"); // roles
  w.join();
  for (const r of rs) {
    w.tag(4, WireType.LengthDelimited).fork(); // resources: ResourceEntry
    w.tag(1, WireType.LengthDelimited).string(CERBOS_ACTION); // actions
    w.tag(2, WireType.LengthDelimited).fork(); // resource: engine.v1.Resource
    w.tag(1, WireType.LengthDelimited).string(CERBOS_RESOURCE_KIND); // kind
    w.tag(3, WireType.LengthDelimited).string(r.requestId); // id
    writeAttr(w, 4, "labels", (v) => { writeStringListValue(v, r.labels); });
    writeAttr(w, 4, "sink", (v) => v.tag(3, WireType.LengthDelimited).string(r.sink));
    writeAttr(w, 4, "producer", (v) => v.tag(3, WireType.LengthDelimited).string(r.producer));
    w.join();
    w.join();
  }
  return toBuffer(w.finish());
}

function readCerbosResult(reader: BinaryReader, end: number): DecodedCheck {
  let requestId = "";
  let effect = 0;
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      // resource: ResultEntry.Resource { id = 1, kind = 2, ... }
      const rEnd = reader.uint32() + reader.pos;
      while (reader.pos < rEnd) {
        const [f, wt] = reader.tag();
        if (f === 1 && wt === WireType.LengthDelimited) requestId = reader.string();
        else reader.skip(wt, f);
      }
    } else if (field === 2 && wireType === WireType.LengthDelimited) {
      // actions: map<string, Effect> entry { key = 1, value = 2 }
      const aEnd = reader.uint32() + reader.pos;
      while (reader.pos < aEnd) {
        const [f, wt] = reader.tag();
        if (f === 2 && wt === WireType.Varint) effect = reader.int32();
        else reader.skip(wt, f);
      }
    } else reader.skip(wireType, field);
  }
  if (effect !== CERBOS_ALLOW && effect !== CERBOS_DENY) {
    throw new Error(`Cerbos answered resource ${requestId} with effect ${effect}, neither ALLOW nor DENY`);
  }
  return { requestId, deny: effect === CERBOS_DENY };
}

/**
 * CheckResourcesResponse → deny flags into out[base..] in request order (checked against the
 * resource ids, which are the workload's request ids starting at firstId); returns the count.
 */
export function decodeCerbosCheck(buf: Uint8Array, out: Uint8Array, base: number, ids: readonly string[]): number {
  const reader = new BinaryReader(buf);
  let n = 0;
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 2 && wireType === WireType.LengthDelimited) {
      const len = reader.uint32();
      const result = readCerbosResult(reader, reader.pos + len);
      if (result.requestId !== ids[n]) throw new Error(`Cerbos result ${n} is for resource ${result.requestId}, expected ${ids[n] ?? "none"}`);
      out[base + n] = result.deny ? 1 : 0;
      n++;
    } else reader.skip(wireType, field);
  }
  return n;
}

/** The CheckResponse messages inside a flowzone.v1.CheckBatchResponse, as their own bytes. */
export function splitFlowzoneBatch(buf: Uint8Array): Buffer[] {
  const reader = new BinaryReader(buf);
  const out: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      const len = reader.uint32();
      out.push(Buffer.from(buf.subarray(reader.pos, reader.pos + len)));
      reader.pos += len;
    } else reader.skip(wireType, field);
  }
  return out;
}
