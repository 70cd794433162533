/**
 * kafkajs as `npm install` leaves it: patches/kafkajs+2.2.4.patch (docs/reference/kafka.md,
 * "kafkajs, patched") rewrites how kafkajs encodes and decodes records and groups a send's
 * messages, for speed only. These specs hold the patched code to the Kafka wire format itself:
 * varints, records and record batches are compared, byte for byte, with an encoding written here
 * from the protocol's definition (zigzag varints in BigInt arithmetic, CRC-32C bit by bit), on
 * fixed edge cases and on random records; decoded headers with what was encoded.
 */
import fc from "fast-check";

import { partitionOfKey } from "./key-partition";

interface KafkajsEncoder {
  readonly buffer: Buffer;
  size(): number;
  writeVarInt(value: number): KafkajsEncoder;
  writeVarLong(value: number | string): KafkajsEncoder;
}

interface KafkajsEncoderClass {
  new (initialSize?: number): KafkajsEncoder;
  sizeOfVarInt(value: number): number;
  sizeOfVarLong(value: number | string): number;
  isInt32?: unknown;
}

type HeaderValue = string | Buffer;

interface RecordInput {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key: HeaderValue | null;
  readonly value: HeaderValue | null;
  readonly headers: Record<string, HeaderValue | HeaderValue[]>;
}

// kafkajs' own encoders, as installed (no types ship for its internals).
/* eslint-disable @typescript-eslint/no-require-imports */
const Encoder = require("kafkajs/src/protocol/encoder") as KafkajsEncoderClass;
const encodeRecord = require("kafkajs/src/protocol/recordBatch/record/v0") as (record: RecordInput) => KafkajsEncoder;
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0") as {
  RecordBatch: (batch: { compression?: number; records: KafkajsEncoder[]; recordInputs?: readonly RecordInput[]; firstTimestamp: number; maxTimestamp: number; lastOffsetDelta: number; producerId: number; producerEpoch: number; firstSequence: number; transactional: boolean }) => Promise<KafkajsEncoder>;
};
const groupMessagesPerPartition = require("kafkajs/src/producer/groupMessagesPerPartition") as (send: {
  topic: string;
  partitionMetadata: readonly unknown[];
  messages: readonly { key: string; partition?: number }[];
  partitioner: (args: { message: { key: string; partition?: number } }) => number;
}) => Record<number, { key: string }[]>;
const batchChecksum = require("kafkajs/src/protocol/recordBatch/crc32C") as ((buffer: Buffer) => number) & { native: boolean };
const tableChecksum = require("kafkajs/src/protocol/recordBatch/crc32C/crc32C") as (buffer: Buffer) => number;
const { Partitioners } = require("kafkajs") as {
  Partitioners: { DefaultPartitioner: () => (args: { topic: string; partitionMetadata: readonly { partitionId: number; leader: number }[]; message: { key?: string | null; partition?: number | null } }) => number };
};
const produceRequest = require("kafkajs/src/protocol/requests/produce/v3/request") as (request: {
  acks: number;
  timeout: number;
  transactionalId: string | null;
  producerId: number;
  producerEpoch: number;
  compression: number;
  topicData: readonly { topic: string; partitions: readonly { partition: number; firstSequence: number; messages: readonly { key: HeaderValue | null; value: HeaderValue | null; headers: RecordInput["headers"]; timestamp: number }[] }[] }[];
}) => { encode(): Promise<KafkajsEncoder> };
const { Types: CompressionTypes, lookupCodec } = require("kafkajs/src/protocol/message/compression") as { Types: { GZIP: number }; lookupCodec: (type: number) => { compress(encoder: { buffer: Buffer }): Promise<Buffer> } };
const GZIP = CompressionTypes.GZIP;
const gzip = lookupCodec(GZIP);
const frameRequest = require("kafkajs/src/protocol/request") as (request: { correlationId: number; clientId: string | null; request: { apiKey: number; apiVersion: number; encode: () => Promise<KafkajsEncoder> } }) => Promise<KafkajsEncoder>;
const Decoder = require("kafkajs/src/protocol/decoder") as new (buffer: Buffer) => unknown;
const decodeRecord = require("kafkajs/src/protocol/recordBatch/record/v0/decoder") as (decoder: unknown, batch: { firstOffset: string; firstTimestamp: string }) => { offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> };
/* eslint-enable @typescript-eslint/no-require-imports */

const RUNS = 300;

/** Kafka's varint: the zigzag of a signed 64-bit value, seven bits a byte, low bits first. */
function zigzagVarint(value: bigint): number[] {
  let zigzag = value >= 0n ? value << 1n : ((-value) << 1n) - 1n;
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return bytes;
}

function int(value: bigint | number, bytes: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(bytes * 8, BigInt(value));
  for (let i = 0; i < bytes; i++) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** A varint length and the bytes, or length -1 for null. */
function varintBytes(data: HeaderValue | null): number[] {
  if (data === null) return zigzagVarint(-1n);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return [...zigzagVarint(BigInt(bytes.length)), ...bytes];
}

/** A record in the v2 format (KIP-98): length, attributes, deltas, key, value, headers. */
function expectedRecord(record: RecordInput): number[] {
  const headers: number[] = [];
  let count = 0;
  for (const [name, value] of Object.entries(record.headers)) {
    for (const each of Array.isArray(value) ? value : [value]) {
      headers.push(...varintBytes(name), ...varintBytes(each));
      count++;
    }
  }
  const body = [0, ...zigzagVarint(BigInt(record.timestampDelta)), ...zigzagVarint(BigInt(record.offsetDelta)), ...varintBytes(record.key), ...varintBytes(record.value), ...zigzagVarint(BigInt(count)), ...headers];
  return [...zigzagVarint(BigInt(body.length)), ...body];
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one bit at a time. */
function crc32c(bytes: readonly number[]): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const bytesOf = (encoder: KafkajsEncoder): number[] => [...encoder.buffer];

/** The first timestamp of the batches these specs encode. */
const T0 = 1_700_000_000_000;

/** A Kafka STRING (or NULLABLE_STRING): an int16 length, or -1 for null, then UTF-8. */
function kafkaString(text: string | null): number[] {
  if (text === null) return int(-1, 2);
  const bytes = Buffer.from(text, "utf8");
  return [...int(bytes.length, 2), ...bytes];
}

/** A record batch in the v2 format, starting at offset 0 and timestamp T0, uncompressed. */
function expectedBatch(inputs: readonly RecordInput[], batch: { maxTimestamp: number; producerId: number; producerEpoch: number; firstSequence: number; transactional: boolean }): number[] {
  const body = [
    ...int(batch.transactional ? 0x10 : 0, 2),
    ...int(inputs.length - 1, 4),
    ...int(T0, 8),
    ...int(batch.maxTimestamp, 8),
    ...int(batch.producerId, 8),
    ...int(batch.producerEpoch, 2),
    ...int(batch.firstSequence, 4),
    ...int(inputs.length, 4),
    ...inputs.flatMap(expectedRecord),
  ];
  // Base offset, batch length, then the batch: partition leader epoch, magic 2, CRC, body.
  const afterLength = [...int(0, 4), 2, ...int(crc32c(body), 4), ...body];
  return [...int(0, 8), ...int(afterLength.length, 4), ...afterLength];
}

// Short ASCII text takes the patch's fast path, other text (and text past 64 chars) node's.
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), fc.string({ maxLength: 70 }), fc.string({ unit: "grapheme", minLength: 60, maxLength: 70 }));
const data = fc.oneof(text, fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)));
const record: fc.Arbitrary<RecordInput> = fc.record({
  offsetDelta: fc.integer({ min: 0, max: 100_000 }),
  timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer(), fc.maxSafeInteger().map((v) => Math.trunc(v / 3))),
  key: fc.option(data, { nil: null }),
  value: fc.option(data, { nil: null }),
  headers: fc.dictionary(fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ unit: "binary", minLength: 1, maxLength: 70 })), fc.oneof(data, fc.array(data, { maxLength: 3 })), { maxKeys: 6 }),
});

describe("kafkajs, as installed", () => {
  it("is the patched kafkajs (npm install's postinstall applies patches/kafkajs+2.2.4.patch)", () => {
    expect(typeof Encoder.isInt32).toBe("function");
  });

  it("writes varints and varlongs as Kafka does, at the edges of 7, 32 and 53 bits", () => {
    const edges = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1];
    for (const value of edges) {
      const expected = zigzagVarint(BigInt(value));
      expect(bytesOf(new Encoder().writeVarLong(value))).toEqual(expected);
      expect(Encoder.sizeOfVarLong(value)).toBe(expected.length);
      if ((value | 0) !== value) continue;
      expect(bytesOf(new Encoder().writeVarInt(value))).toEqual(expected);
      expect(Encoder.sizeOfVarInt(value)).toBe(expected.length);
    }
    // A value beyond a double's integers still takes kafkajs' Long path.
    expect(bytesOf(new Encoder().writeVarLong("9007199254740993"))).toEqual(zigzagVarint(9007199254740993n));
  });

  it("writes random int32 varints and safe-integer varlongs as Kafka does", () => {
    fc.assert(
      fc.property(fc.integer(), fc.maxSafeInteger(), (small, large) => {
        expect(bytesOf(new Encoder(1).writeVarInt(small).writeVarLong(large))).toEqual([...zigzagVarint(BigInt(small)), ...zigzagVarint(BigInt(large))]);
      }),
      { numRuns: RUNS },
    );
  });

  it("encodes a record in the v2 format, header arrays, null keys and values, and long time deltas included", () => {
    const edge: RecordInput = { offsetDelta: 3, timestampDelta: 2 ** 40, key: null, value: null, headers: { many: ["a", Buffer.from([0xff, 0])], "flowzone-labels": "banana,health", empty: "" } };
    expect(bytesOf(encodeRecord(edge))).toEqual(expectedRecord(edge));
    // Header text at the edges of the patch's JavaScript path (ASCII up to 64 chars) and past it.
    const ascii = (length: number): string => Array.from({ length }, (_, i) => String.fromCharCode(32 + ((i * 7) % 95))).join("");
    const texts = [ascii(1), ascii(63), ascii(64), ascii(65), `${ascii(40)}é`, `ÿ${ascii(10)}`, "\u007f\u0080", `${ascii(20)}\ud800`, "🍌 banana", ascii(200)];
    for (const name of texts) {
      const headers = Object.fromEntries(texts.map((value, i) => [`${name}${i}`, i % 3 === 0 ? [value, Buffer.from(value, "latin1")] : value]));
      const input: RecordInput = { offsetDelta: 1, timestampDelta: 0, key: name, value: Buffer.from(name), headers };
      expect(bytesOf(encodeRecord(input))).toEqual(expectedRecord(input));
    }
    fc.assert(
      fc.property(record, (input) => {
        const encoded = encodeRecord(input);
        expect(bytesOf(encoded)).toEqual(expectedRecord(input));
        expect(encoded.size()).toBe(encoded.buffer.length);
      }),
      { numRuns: RUNS },
    );
  });

  it("decodes a record's headers into one value per name, or a list of them in order when repeated", () => {
    const asBuffer = (item: HeaderValue): Buffer => (typeof item === "string" ? Buffer.from(item, "utf8") : item);
    // Names an object inherits ("constructor") kafkajs reads as already present, patched or not.
    const plain = record.map((input) => ({ ...input, headers: Object.fromEntries(Object.entries(input.headers).filter(([name]) => !(name in Object.prototype))) }));
    fc.assert(
      fc.property(plain, (input) => {
        // The record's own length varint is read by the batch decoder before it: skip it.
        const bytes = encodeRecord(input).buffer;
        const decoded = decodeRecord(new Decoder(bytes.subarray(bytes.findIndex((byte) => byte < 0x80) + 1)), { firstOffset: "10", firstTimestamp: "0" });
        const expected: Record<string, Buffer | Buffer[]> = {};
        for (const [name, value] of Object.entries(input.headers)) {
          const values = (Array.isArray(value) ? value : [value]).map(asBuffer);
          if (values.length > 0) expected[name] = values.length === 1 ? (values[0] as Buffer) : values;
        }
        expect(decoded.headers).toEqual(expected);
        expect(decoded.offset).toBe(String(10 + input.offsetDelta));
      }),
      { numRuns: RUNS },
    );
  });

  it("groups a send's messages by partition, in the order given", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.string({ maxLength: 3 }), partition: fc.option(fc.nat(5), { nil: undefined }) }), { maxLength: 200 }), (messages) => {
        const partitioner = ({ message }: { message: { key: string; partition?: number } }): number => message.partition ?? message.key.length % 3;
        const expected: Record<number, { key: string }[]> = {};
        for (const message of messages) (expected[partitioner({ message })] ??= []).push(message);
        expect(groupMessagesPerPartition({ topic: "t", partitionMetadata: [{}], messages, partitioner })).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
    expect(groupMessagesPerPartition({ topic: "t", partitionMetadata: [], messages: [{ key: "k" }], partitioner: () => 0 })).toEqual({});
  });

  it("encodes a record batch in the v2 format, with the CRC-32C of everything after it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 20 }), fc.boolean(), async (inputs, transactional) => {
        const batch = await RecordBatch({ records: inputs.map(encodeRecord), firstTimestamp: T0, maxTimestamp: T0 + 5, lastOffsetDelta: inputs.length - 1, producerId: 7, producerEpoch: 1, firstSequence: 42, transactional });
        expect(bytesOf(batch)).toEqual(expectedBatch(inputs, { maxTimestamp: T0 + 5, producerId: 7, producerEpoch: 1, firstSequence: 42, transactional }));
      }),
      { numRuns: 100 },
    );
  });

  it("encodes a headers object that records of a batch share as if each record had its own, and measures it again in the next batch", async () => {
    const batchOf = (inputs: RecordInput[]) =>
      RecordBatch({ recordInputs: inputs, records: [], firstTimestamp: T0, maxTimestamp: T0 + 5, lastOffsetDelta: inputs.length - 1, producerId: 7, producerEpoch: 1, firstSequence: 42, transactional: false });
    const expected = (inputs: RecordInput[]) => expectedBatch(inputs, { maxTimestamp: T0 + 5, producerId: 7, producerEpoch: 1, firstSequence: 42, transactional: false });
    // Records take their headers from a pool of three objects, so runs of one object, and returns to an earlier one, occur.
    await fc.assert(
      fc.asyncProperty(fc.array(record.map((input) => input.headers), { minLength: 3, maxLength: 3 }), fc.array(fc.tuple(record, fc.nat(2)), { minLength: 1, maxLength: 30 }), async (pool, picks) => {
        const inputs = picks.map(([input, i], offsetDelta) => ({ ...input, offsetDelta, headers: pool[i] as RecordInput["headers"] }));
        expect(bytesOf(await batchOf(inputs))).toEqual(expected(inputs));
      }),
      { numRuns: 100 },
    );
    const shared: Record<string, string> = { "flowzone-labels": "banana", "flowzone-decision": "AAAAAAAAAAAA-1" };
    const twice = (): RecordInput[] => [0, 1, 2].map((offsetDelta) => ({ offsetDelta, timestampDelta: 0, key: null, value: "v", headers: shared }));
    expect(bytesOf(await batchOf(twice()))).toEqual(expected(twice()));
    shared["flowzone-labels"] = "banana,health";
    expect(bytesOf(await batchOf(twice()))).toEqual(expected(twice()));
  });

  it("encodes a gzip-compressed record batch: the records' count, then their bytes compressed as one", async () => {
    const inputs: RecordInput[] = [0, 1, 2].map((i) => ({ offsetDelta: i, timestampDelta: i, key: `k${i}`, value: Buffer.alloc(100, i), headers: { "flowzone-labels": "banana" } }));
    const batch = await RecordBatch({ compression: GZIP, records: inputs.map(encodeRecord), firstTimestamp: T0, maxTimestamp: T0 + 2, lastOffsetDelta: 2, producerId: 7, producerEpoch: 1, firstSequence: 0, transactional: false });
    const compressed = await gzip.compress({ buffer: Buffer.from(inputs.flatMap(expectedRecord)) });
    const body = [...int(GZIP, 2), ...int(2, 4), ...int(T0, 8), ...int(T0 + 2, 8), ...int(7, 8), ...int(1, 2), ...int(0, 4), ...int(3, 4), ...compressed];
    const afterLength = [...int(0, 4), 2, ...int(crc32c(body), 4), ...body];
    expect(bytesOf(batch)).toEqual([...int(0, 8), ...int(afterLength.length, 4), ...afterLength]);
    // As a produce request hands it the records: what each record is made of.
    const fromInputs = await RecordBatch({ compression: GZIP, recordInputs: inputs, records: [], firstTimestamp: T0, maxTimestamp: T0 + 2, lastOffsetDelta: 2, producerId: 7, producerEpoch: 1, firstSequence: 0, transactional: false });
    expect(bytesOf(fromInputs)).toEqual(bytesOf(batch));
  });

  it("refuses a header value that is neither text nor bytes, as kafkajs did, and encodes the next request whole", async () => {
    const request = (headers: Record<string, unknown>) =>
      produceRequest({ acks: -1, timeout: 1000, transactionalId: null, producerId: 7, producerEpoch: 1, compression: 0, topicData: [{ topic: "t", partitions: [{ partition: 0, firstSequence: 0, messages: [{ key: "k", value: "v", headers: { a: "1" }, timestamp: T0 }, { key: "k", value: "v", headers: headers as RecordInput["headers"], timestamp: T0 }] }] }] });
    await expect(request({ a: "1", b: null }).encode()).rejects.toThrow(/must be of type string/);
    const inputs: RecordInput[] = [0, 1].map((i) => ({ offsetDelta: i, timestampDelta: 0, key: "k", value: "v", headers: { a: "1" } }));
    expect(bytesOf(await request({ a: "1" }).encode())).toEqual([
      ...int(-1, 2), ...int(-1, 2), ...int(1000, 4), ...int(1, 4), ...kafkaString("t"), ...int(1, 4), ...int(0, 4),
      ...((batch) => [...int(batch.length, 4), ...batch])(expectedBatch(inputs, { maxTimestamp: T0, producerId: 7, producerEpoch: 1, firstSequence: 0, transactional: false })),
    ]);
  });

  it("encodes a produce request (v3, as v4 to v7 send it) in Kafka's layout, each partition's record batch after its size", async () => {
    const partitionOf = (partition: number, inputs: readonly RecordInput[], firstSequence: number) => ({
      partition,
      firstSequence,
      messages: inputs.map((input, i) => ({ key: input.key, value: input.value, headers: input.headers, timestamp: T0 + i })),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 30 }), fc.array(fc.array(record, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 3 }),
        fc.option(fc.string({ unit: "binary", maxLength: 20 }), { nil: null }),
        async (topics, transactionalId) => {
          const topicData = topics.map(([topic, partitions]) => ({ topic, partitions: partitions.map((inputs, p) => partitionOf(p, inputs, 10 * p)) }));
          const request = produceRequest({ acks: -1, timeout: 30_000, transactionalId, producerId: 7, producerEpoch: 1, compression: 0, topicData });
          const expected = [
            ...kafkaString(transactionalId),
            ...int(-1, 2),
            ...int(30_000, 4),
            ...int(topics.length, 4),
            ...topics.flatMap(([topic, partitions]) => [
              ...kafkaString(topic),
              ...int(partitions.length, 4),
              ...partitions.flatMap((inputs, p) => {
                const batch = expectedBatch(
                  inputs.map((input, i) => ({ ...input, offsetDelta: i, timestampDelta: i })),
                  { maxTimestamp: T0 + inputs.length - 1, producerId: 7, producerEpoch: 1, firstSequence: 10 * p, transactional: Boolean(transactionalId) },
                );
                return [...int(p, 4), ...int(batch.length, 4), ...batch];
              }),
            ]),
          ];
          expect(bytesOf(await request.encode())).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("frames a request as Kafka does: its size, then API key, version, correlation id, client id and the payload", async () => {
    for (const clientId of ["flowzone", "zoné-ü", null]) {
      const payload = new Encoder(3);
      payload.writeVarInt(300);
      const framed = await frameRequest({ correlationId: 77, clientId, request: { apiKey: 0, apiVersion: 7, encode: () => Promise.resolve(payload) } });
      const after = [...int(0, 2), ...int(7, 2), ...int(77, 4), ...kafkaString(clientId), ...bytesOf(payload)];
      expect(bytesOf(framed)).toEqual([...int(after.length, 4), ...after]);
    }
  });

  it("checksums record batches with the native CRC-32C where its binary is installed, the same value as kafkajs's own", () => {
    // The lockfile holds @node-rs/crc32's binary for every platform it builds; this one must load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { crc32c: native } = require("@node-rs/crc32") as { crc32c: (input: Buffer) => number };
    expect(batchChecksum.native).toBe(true);
    const check = Buffer.from("123456789", "ascii"); // the CRC catalogue's check input for CRC-32C
    expect(batchChecksum(check)).toBe(0xe3069283);
    expect(native(check)).toBe(0xe3069283);
    expect(tableChecksum(check) >>> 0).toBe(0xe3069283);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(batchChecksum(buffer)).toBe(crc32c([...bytes]));
        expect(batchChecksum(buffer)).toBe(tableChecksum(buffer) >>> 0);
      }),
      { numRuns: RUNS },
    );
  });

  it("partitions as kafkajs's default partitioner does: a message's own partition, its key's hash, else round robin over the partitions with a leader", () => {
    const partitionMetadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId, leader: partitionId === 2 || partitionId === 4 ? -1 : 1 }));
    const partition = Partitioners.DefaultPartitioner();
    const pick = (message: { key?: string | null; partition?: number | null }): number => partition({ topic: "t", partitionMetadata, message });
    expect(pick({ partition: 4, key: "k" })).toBe(4);
    for (const key of ["a", "flowzone", "zone-17", "ünïcode"]) expect(pick({ key })).toBe(partitionOfKey(key, 6));
    // A key hashing to a partition without a leader still goes there, as before the patch.
    const leaderless = ["a", "b", "c", "d", "e", "f", "g", "h"].find((key) => partitionOfKey(key, 6) === 2 || partitionOfKey(key, 6) === 4);
    expect(leaderless).toBeDefined();
    if (leaderless !== undefined) expect(pick({ key: leaderless })).toBe(partitionOfKey(leaderless, 6));
    const led = [0, 1, 3, 5];
    const first = pick({ key: null });
    expect(led).toContain(first);
    const next = Array.from({ length: 8 }, () => pick({}));
    expect(next).toEqual(Array.from({ length: 8 }, (_, i) => led[(led.indexOf(first) + 1 + i) % led.length]));
  });
});
