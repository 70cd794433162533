import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { CheckBatchRequestSchema, CheckBatchResponseSchema, CheckRequestSchema, CheckResponseSchema, Decision, Mode, ViolationSchema } from "@flowzone/proto";
import type { CheckResponse } from "@flowzone/proto";
import { FlowzoneError } from "@flowzone/errors";
import { EncodedBatchRequest, decodeCheckBatchRequest, decodeCheckRequest, encodeCheckBatchResponse, encodeCheckResponse } from "./wire-codec";

const responses: CheckResponse[] = [
  create(CheckResponseSchema, {}),
  create(CheckResponseSchema, { requestId: "r-1", decision: Decision.ALLOW, decisionId: "abc-1", policyVersion: "sha256:ff@0" }),
  create(CheckResponseSchema, {
    requestId: "ünïcode ✓",
    decision: Decision.DENY,
    decisionId: "abc-2",
    policyVersion: "sha256:ff@3",
    violations: [
      { zone: "banana", rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true, labels: ["banana", "pii.email"], reason: "Why." },
      { zone: "email", rule: "no-export", mode: Mode.LOGGING, enforced: false, labels: [], reason: "" },
      {},
    ],
  }),
];

describe("convert: hand-written encoders", () => {
  it.each(responses.map((r, i) => [i, r] as const))("encodes CheckResponse #%d exactly as toBinary", (_i, response) => {
    expect(Buffer.from(encodeCheckResponse(response))).toEqual(Buffer.from(toBinary(CheckResponseSchema, response)));
  });

  it("encodes a CheckBatchResponse exactly as toBinary", () => {
    const batch = create(CheckBatchResponseSchema, { responses });
    expect(Buffer.from(encodeCheckBatchResponse(batch))).toEqual(Buffer.from(toBinary(CheckBatchResponseSchema, batch)));
  });

  it("encodes an empty batch as no bytes", () => {
    expect(encodeCheckBatchResponse(create(CheckBatchResponseSchema, {})).length).toBe(0);
  });
});

describe("hand decoders", () => {
  const requests = [
    create(CheckRequestSchema, {}),
    create(CheckRequestSchema, { requestId: "r-1", producer: "svc:p", sink: "kafka:ünïcode", labels: ["a", "b", "a"], sources: ["kafka:s"], purpose: "ads" }),
  ];

  it.each(requests.map((r, i) => [i, r] as const))("decodes CheckRequest %i exactly as fromBinary does", (_i, request) => {
    const bytes = toBinary(CheckRequestSchema, request);
    expect(decodeCheckRequest(bytes)).toEqual(fromBinary(CheckRequestSchema, bytes));
  });

  it("decodes a CheckBatchRequest exactly as fromBinary does", () => {
    const bytes = toBinary(CheckBatchRequestSchema, create(CheckBatchRequestSchema, { requests }));
    expect(decodeCheckBatchRequest(bytes)).toEqual(fromBinary(CheckBatchRequestSchema, bytes));
  });

  it("skips fields it does not know, as an older server must", () => {
    const writer = new BinaryWriter();
    writer.tag(2, WireType.LengthDelimited).string("svc:p");
    writer.tag(99, WireType.Varint).int32(7);
    writer.tag(3, WireType.LengthDelimited).string("svc:s");
    const decoded = decodeCheckRequest(writer.finish());
    expect([decoded.producer, decoded.sink]).toEqual(["svc:p", "svc:s"]);
  });

  it("skips an unknown length-delimited field to its end, as fromBinary does", () => {
    const writer = new BinaryWriter();
    writer.tag(2, WireType.LengthDelimited).string("svc:p");
    writer.tag(7, WireType.LengthDelimited).string("a newer client's field");
    writer.tag(3, WireType.LengthDelimited).string("svc:s");
    const bytes = writer.finish();
    expect(decodeCheckRequest(bytes)).toEqual(fromBinary(CheckRequestSchema, bytes, { readUnknownFields: false }));
    expect(decodeCheckRequest(bytes)).toMatchObject({ producer: "svc:p", sink: "svc:s" });
  });

  it("skips an unknown group (wire types 3 and 4), nested ones too, as fromBinary does", () => {
    const writer = new BinaryWriter();
    writer.tag(2, WireType.LengthDelimited).string("svc:p");
    writer.tag(40, WireType.StartGroup);
    writer.tag(1, WireType.Varint).int32(7);
    writer.tag(41, WireType.StartGroup).tag(41, WireType.EndGroup);
    writer.tag(40, WireType.EndGroup);
    writer.tag(3, WireType.LengthDelimited).string("svc:s");
    const bytes = writer.finish();
    expect(decodeCheckRequest(bytes)).toEqual(fromBinary(CheckRequestSchema, bytes, { readUnknownFields: false }));
    expect(decodeCheckRequest(bytes)).toMatchObject({ producer: "svc:p", sink: "svc:s" });
  });

  it("rejects a group whose end tag names another field", () => {
    const writer = new BinaryWriter();
    writer.tag(40, WireType.StartGroup).tag(41, WireType.EndGroup);
    expect(() => decodeCheckRequest(writer.finish())).toThrow("invalid end group tag");
  });

  it("rejects a truncated message", () => {
    const bytes = toBinary(CheckBatchRequestSchema, create(CheckBatchRequestSchema, { requests }));
    expect(() => decodeCheckBatchRequest(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});

describe("EncodedBatchRequest", () => {
  const bytes = toBinary(CheckBatchRequestSchema, create(CheckBatchRequestSchema, { requests: [{ requestId: "a", producer: "svc:p", sink: "kafka:s", labels: ["x"] }, { requestId: "b" }] }));

  it("reads as the CheckBatchRequest its bytes hold, decoded afresh on each read", () => {
    const request = new EncodedBatchRequest(bytes);
    expect(request.requests).toEqual(fromBinary(CheckBatchRequestSchema, bytes).requests);
    expect(request.requests).not.toBe(request.requests);
  });

  it("refuses bytes that are not a CheckBatchRequest as invalid_argument, saying what the decoder found", () => {
    const read = (): unknown => new EncodedBatchRequest(bytes.subarray(0, bytes.length - 3)).requests;
    expect(read).toThrow(FlowzoneError);
    expect(read).toThrow(/^malformed CheckBatchRequest: premature end of a (string|CheckRequest)$/);
    expect(() => new EncodedBatchRequest(Uint8Array.of(0x0a, 0x80)).requests).toThrow(expect.objectContaining({ code: "invalid_argument" }) as Error);
  });
});

describe("recurring strings", () => {
  it("decodes each of many producers, sinks and labels as written, past the table's slots and with invalid UTF-8", () => {
    const written = Array.from({ length: 10_000 }, (_, i) => ({ producer: `svc:p-${i}`, sink: `kafka:s-${i % 97}`, labels: [`l-${i % 13}`, "x"], purpose: i % 2 === 0 ? "" : `p${i}` }));
    for (const request of [...written, ...written.slice(0, 500)]) {
      const decoded = decodeCheckRequest(toBinary(CheckRequestSchema, create(CheckRequestSchema, request)));
      expect(decoded).toMatchObject(request);
    }
    const invalid = new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(Uint8Array.of(0x73, 0xff, 0x3a)).finish();
    // As before the table: invalid bytes read as U+FFFD, as Buffer#toString reads them (protobuf-es refuses them).
    expect(decodeCheckRequest(invalid).producer).toBe("s\ufffd:");
    expect(decodeCheckRequest(invalid).producer).toBe("s\ufffd:");
  });

  it("reads strings up to the table's 64 bytes, and past them, the same the first time and from the table", () => {
    const edge = (bytes: number, fill: string): string => `svc:${fill.repeat(bytes - 4)}`;
    // 63, 64 and 65 bytes of ASCII; 64 bytes ending in a two-byte character; the empty string.
    const producers = [edge(63, "a"), edge(64, "b"), edge(65, "c"), `${edge(62, "d")}é`, ""];
    expect(producers.map((p) => Buffer.byteLength(p))).toEqual([63, 64, 65, 64, 0]);
    for (const round of [1, 2, 3]) {
      for (const producer of producers) {
        const decoded = decodeCheckRequest(toBinary(CheckRequestSchema, create(CheckRequestSchema, { producer, sink: producer })));
        expect({ round, producer: decoded.producer, sink: decoded.sink }).toEqual({ round, producer, sink: producer });
      }
    }
  });

  it("tells apart strings of the same length that differ in one byte", () => {
    for (const producer of ["svc:aaaa", "svc:aaab", "svc:aaaa", "svc:baaa"]) {
      expect(decodeCheckRequest(toBinary(CheckRequestSchema, create(CheckRequestSchema, { producer }))).producer).toBe(producer);
    }
  });
});

describe("repeated fields", () => {
  const encoded = (labels: string[], sources: string[] = []): Uint8Array => toBinary(CheckRequestSchema, create(CheckRequestSchema, { producer: "svc:p", labels, sources }));

  it("gives each request its own labels and sources, however many the one before had", () => {
    const many = Array.from({ length: 100 }, (_, i) => `l-${i}`);
    const first = decodeCheckRequest(encoded(many, ["kafka:a"]));
    const second = decodeCheckRequest(encoded(["x"]));
    expect(first.labels).toEqual(many);
    expect(first.sources).toEqual(["kafka:a"]);
    expect(second.labels).toEqual(["x"]);
    expect(second.sources).toEqual([]);
    // Lists are shared with later requests, so none can be changed by whoever holds one.
    expect(() => second.labels.push("y")).toThrow(TypeError);
    expect(decodeCheckRequest(encoded(["x"])).labels).toEqual(["x"]);
  });

  it("hands requests with the same labels in the same order one list, and others their own", () => {
    const a = decodeCheckRequest(encoded(["pii.email", "health"], ["kafka:a"]));
    const b = decodeCheckRequest(encoded(["pii.email", "health"], ["kafka:a"]));
    const swapped = decodeCheckRequest(encoded(["health", "pii.email"]));
    expect(b.labels).toBe(a.labels);
    expect(b.sources).toBe(a.sources);
    expect(swapped.labels).toEqual(["health", "pii.email"]);
    const long = "l".repeat(100);
    const first = decodeCheckRequest(encoded([long, "x"]));
    const again = decodeCheckRequest(encoded([long, "x"]));
    expect(again.labels).toEqual([long, "x"]);
    expect(again.labels).not.toBe(first.labels);
  });

  it("never hands a request another's list, across many lists that share slots", () => {
    // 3,000 lists of up to three of 40 strings: far more than the table has slots, so slots are shared.
    const words = Array.from({ length: 40 }, (_, i) => `label-${i}`);
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const labels = Array.from({ length: 1 + next(3) }, () => words[next(words.length)] as string);
      const sources = Array.from({ length: next(3) }, () => `kafka:${words[next(words.length)] as string}`);
      const decoded = decodeCheckRequest(encoded(labels, sources));
      expect([decoded.labels, decoded.sources]).toEqual([labels, sources]);
    }
  });

  it("keeps no label of a request that broke off part way", () => {
    const whole = encoded(["a", "b"]);
    // The last label's length says 1 byte more than is there.
    const broken = Uint8Array.from([...whole.subarray(0, whole.length - 2), 0x0a, 0x05, 0x63]);
    expect(() => decodeCheckRequest(broken)).toThrow("premature end");
    expect(decodeCheckRequest(encoded(["c"])).labels).toEqual(["c"]);
  });
});

describe("encoded violations, remembered", () => {
  const violation = { zone: "banana", rule: "boundary", mode: Mode.ENFORCEMENT, enforced: true, labels: ["banana"], reason: "Why." };
  const response = (v: typeof violation) => create(CheckResponseSchema, { requestId: "r", decision: Decision.DENY, decisionId: "d", policyVersion: "v", violations: [v] });

  it("encodes a frozen violation, met again, as the same bytes", () => {
    const frozen = Object.freeze(create(ViolationSchema, violation));
    const first = Buffer.from(encodeCheckResponse(response(frozen)));
    expect(Buffer.from(encodeCheckResponse(response(frozen)))).toEqual(first);
    expect(first).toEqual(Buffer.from(toBinary(CheckResponseSchema, response(frozen))));
  });

  it("encodes a violation changed after it was encoded as it is now", () => {
    const changing = create(ViolationSchema, violation);
    encodeCheckResponse(response(changing));
    changing.enforced = false;
    changing.mode = Mode.LOGGING;
    changing.labels.push("pii.email");
    expect(Buffer.from(encodeCheckResponse(response(changing)))).toEqual(Buffer.from(toBinary(CheckResponseSchema, response(changing))));
  });
});
