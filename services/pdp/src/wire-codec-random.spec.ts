/**
 * The hand codecs against protobuf-es on random messages: what the decoders read from any
 * CheckRequest or CheckBatchRequest protobuf-es writes (with unknown fields of every wire type
 * among the known ones) is what protobuf-es reads, and what the encoders write for any
 * CheckResponse or CheckBatchResponse is byte for byte what protobuf-es writes. The messages are
 * drawn from the schemas themselves, so a field added to proto/ gets random values here too.
 */
import { create, fromBinary, ScalarType, toBinary } from "@bufbuild/protobuf";
import type { DescField, DescMessage, Message, UnknownField } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { CheckBatchRequestSchema, CheckBatchResponseSchema, CheckRequestSchema, CheckResponseSchema } from "@flowzone/proto";
import type { CheckBatchRequest, CheckBatchResponse, CheckRequest, CheckResponse } from "@flowzone/proto";
import fc from "fast-check";
import { decodeCheckBatchRequest, decodeCheckRequest, encodeCheckBatchResponse, encodeCheckResponse } from "./wire-codec";

/** Runs per property on one message (each encodes and decodes up to a few dozen fields). */
const RUNS = 200;
/** Runs per property on a batch (up to five messages each). */
const BATCH_RUNS = 100;

/** Strings of every kind: ASCII, astral characters, lone surrogates (written as U+FFFD), long ones. */
const text: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
  fc.string({ minLength: 100, maxLength: 300 }),
);

/** A value for one scalar type, as protobuf-es holds it. */
function scalar(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.STRING:
      return text;
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 16 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.integer();
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.nat({ max: 0xffffffff });
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    case ScalarType.FLOAT:
      return fc.float({ noNaN: true });
    case ScalarType.DOUBLE:
      return fc.double({ noNaN: true });
  }
}

/** A random value for every field of `schema`, from its descriptor (lists up to 5 items). */
function messageOf<T extends Message>(schema: DescMessage, depth = 0): fc.Arbitrary<T> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of schema.fields) fields[field.localName] = valueOf(field, depth);
  return fc.record(fields).map((init) => create(schema, init) as T);
}

function valueOf(field: DescField, depth: number): fc.Arbitrary<unknown> {
  const list = { maxLength: depth === 0 ? 5 : 3 };
  switch (field.fieldKind) {
    case "scalar":
      return scalar(field.scalar);
    case "enum":
      return fc.constantFrom(...field.enum.values.map((value) => value.number));
    case "message":
      return fc.option(messageOf(field.message, depth + 1), { nil: undefined });
    case "list":
      if (field.listKind === "scalar") return fc.array(scalar(field.scalar), list);
      if (field.listKind === "enum") return fc.array(fc.constantFrom(...field.enum.values.map((value) => value.number)), list);
      return fc.array(messageOf(field.message, depth + 1), list);
    case "map":
      throw new Error(`${field.parent.typeName}.${field.name}: the random messages do not draw maps yet`);
  }
}

/** One unknown field's wire bytes after its tag (a group ends with its end tag), for `$unknown`. */
function unknownData(no: number, depth: number): fc.Arbitrary<UnknownField> {
  const write = (fill: (writer: BinaryWriter) => void): Uint8Array => {
    const writer = new BinaryWriter();
    fill(writer);
    return writer.finish();
  };
  const kinds: fc.Arbitrary<UnknownField>[] = [
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ no, wireType: WireType.Varint, data: write((w) => w.uint64(value)) })),
    fc.uint8Array({ minLength: 8, maxLength: 8 }).map((data) => ({ no, wireType: WireType.Bit64, data })),
    fc.uint8Array({ minLength: 4, maxLength: 4 }).map((data) => ({ no, wireType: WireType.Bit32, data })),
    fc.uint8Array({ maxLength: 20 }).map((bytes) => ({ no, wireType: WireType.LengthDelimited, data: write((w) => w.bytes(bytes)) })),
  ];
  if (depth < 2) {
    kinds.push(
      fc.array(unknownField(depth + 1), { maxLength: 3 }).map((inner) => ({
        no,
        wireType: WireType.StartGroup,
        data: write((w) => {
          for (const field of inner) w.tag(field.no, field.wireType).raw(field.data);
          w.tag(no, WireType.EndGroup);
        }),
      })),
    );
  }
  return fc.oneof(...kinds);
}

/** An unknown field of any number (small ones often, so they look like a field proto/ may add). */
function unknownField(depth = 0, known: ReadonlySet<number> = new Set()): fc.Arbitrary<UnknownField> {
  return fc
    .oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 29 - 1 }))
    .filter((no) => !known.has(no))
    .chain((no) => unknownData(no, depth));
}

/** Unknown fields for `schema` (none of its own numbers). */
function unknownFieldsOf(schema: DescMessage): fc.Arbitrary<UnknownField[]> {
  return fc.array(unknownField(0, new Set(schema.fields.map((field) => field.number))), { maxLength: 4 });
}

/** The top-level fields of an encoded message, each with its tag, in order. */
function fieldChunks(bytes: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(bytes);
  const chunks: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [no, wireType] = reader.tag();
    reader.skip(wireType, no);
    chunks.push(bytes.subarray(start, reader.pos));
  }
  return chunks;
}

/**
 * The message's bytes with `unknown` fields among its own: the known fields keep their order and
 * each unknown one goes where `places` says (protobuf-es would write them all at the end).
 */
function withUnknown(schema: DescMessage, message: Message, unknown: UnknownField[], places: number[]): Uint8Array {
  const chunks = fieldChunks(toBinary(schema, message));
  unknown.forEach((field, i) => {
    const writer = new BinaryWriter();
    writer.tag(field.no, field.wireType).raw(field.data);
    chunks.splice((places[i] ?? 0) % (chunks.length + 1), 0, writer.finish());
  });
  return Buffer.concat(chunks);
}

/** A CheckRequest with unknown fields of its own. */
const requestWithUnknown = fc
  .tuple(messageOf<CheckRequest>(CheckRequestSchema), unknownFieldsOf(CheckRequestSchema))
  .map(([request, unknown]) => (unknown.length === 0 ? request : { ...request, $unknown: unknown }));

const read = { readUnknownFields: false };

describe("hand decoders on random messages", () => {
  it("decode any CheckRequest, unknown fields anywhere, as fromBinary does", () => {
    fc.assert(
      fc.property(messageOf<CheckRequest>(CheckRequestSchema), unknownFieldsOf(CheckRequestSchema), fc.array(fc.nat(), { maxLength: 4 }), (request, unknown, places) => {
        const bytes = withUnknown(CheckRequestSchema, request, unknown, places);
        expect(decodeCheckRequest(bytes)).toEqual(fromBinary(CheckRequestSchema, bytes, read));
      }),
      { numRuns: RUNS },
    );
  });

  it("decode any CheckBatchRequest, unknown fields in the batch and in its requests, as fromBinary does", () => {
    const batch = fc.array(requestWithUnknown, { maxLength: 5 }).map((requests) => create(CheckBatchRequestSchema, { requests }));
    fc.assert(
      fc.property(batch, unknownFieldsOf(CheckBatchRequestSchema), fc.array(fc.nat(), { maxLength: 4 }), (message: CheckBatchRequest, unknown, places) => {
        const bytes = withUnknown(CheckBatchRequestSchema, message, unknown, places);
        expect(decodeCheckBatchRequest(bytes)).toEqual(fromBinary(CheckBatchRequestSchema, bytes, read));
      }),
      { numRuns: BATCH_RUNS },
    );
  });
});

describe("hand encoders on random messages", () => {
  it("encode any CheckResponse byte for byte as toBinary, and fromBinary reads it back", () => {
    fc.assert(
      fc.property(messageOf<CheckResponse>(CheckResponseSchema), (response) => {
        const bytes = encodeCheckResponse(response);
        expect(Buffer.from(bytes)).toEqual(Buffer.from(toBinary(CheckResponseSchema, response)));
        expect(fromBinary(CheckResponseSchema, bytes, read)).toEqual(fromBinary(CheckResponseSchema, toBinary(CheckResponseSchema, response), read));
      }),
      { numRuns: RUNS },
    );
  });

  it("encode any CheckBatchResponse byte for byte as toBinary, and fromBinary reads it back", () => {
    fc.assert(
      fc.property(messageOf<CheckBatchResponse>(CheckBatchResponseSchema), (batch) => {
        const bytes = encodeCheckBatchResponse(batch);
        expect(Buffer.from(bytes)).toEqual(Buffer.from(toBinary(CheckBatchResponseSchema, batch)));
        expect(fromBinary(CheckBatchResponseSchema, bytes, read)).toEqual(fromBinary(CheckBatchResponseSchema, toBinary(CheckBatchResponseSchema, batch), read));
      }),
      { numRuns: BATCH_RUNS },
    );
  });
});
