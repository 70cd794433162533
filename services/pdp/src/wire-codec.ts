/**
 * Hand-written protobuf codecs for the decision service's hot messages. protobuf-es' `toBinary`
 * and `fromBinary` walk the schema for every field of every message; for the four messages on
 * every call this file does the same work directly: about three times cheaper, and
 * byte-for-byte the same (proto3 defaults omitted, fields in number order, unknown fields
 * skipped; the specs compare against protobuf-es on the same messages).
 */
import type { Message } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Decision as ProtoDecision, Mode as ProtoMode } from "@flowzone/proto";
import type { CheckBatchRequest, CheckBatchResponse, CheckRequest, CheckResponse } from "@flowzone/proto";

/** Decodes a `CheckRequest`. */
export function decodeCheckRequest(bytes: Uint8Array): CheckRequest {
  const reader = new BinaryReader(bytes);
  return readCheckRequest(reader, reader.len);
}

/** Decodes a `CheckBatchRequest`. */
export function decodeCheckBatchRequest(bytes: Uint8Array): CheckBatchRequest {
  const reader = new BinaryReader(bytes);
  const requests: CheckRequest[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      const length = reader.uint32();
      requests.push(readCheckRequest(reader, reader.pos + length));
    } else {
      reader.skip(wireType, field);
    }
  }
  return { $typeName: "flowzone.v1.CheckBatchRequest", requests };
}

function readCheckRequest(reader: BinaryReader, end: number): CheckRequest {
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
    const [field, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, field);
      continue;
    }
    switch (field) {
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
        reader.skip(wireType, field);
    }
  }
  if (reader.pos !== end) throw new Error("premature end of a CheckRequest");
  return request;
}

/** Encodes a `CheckResponse`. */
export function encodeCheckResponse(message: Message): Uint8Array {
  const writer = new BinaryWriter();
  writeCheckResponse(writer, message as CheckResponse);
  return writer.finish();
}

/** Encodes a `CheckBatchResponse`. */
export function encodeCheckBatchResponse(message: Message): Uint8Array {
  const writer = new BinaryWriter();
  for (const response of (message as CheckBatchResponse).responses) {
    writer.tag(1, WireType.LengthDelimited).fork();
    writeCheckResponse(writer, response);
    writer.join();
  }
  return writer.finish();
}

function writeCheckResponse(writer: BinaryWriter, response: CheckResponse): void {
  if (response.requestId !== "") writer.tag(1, WireType.LengthDelimited).string(response.requestId);
  if (response.decision !== ProtoDecision.UNSPECIFIED) writer.tag(2, WireType.Varint).int32(response.decision);
  if (response.decisionId !== "") writer.tag(3, WireType.LengthDelimited).string(response.decisionId);
  if (response.policyVersion !== "") writer.tag(4, WireType.LengthDelimited).string(response.policyVersion);
  for (const violation of response.violations) {
    writer.tag(5, WireType.LengthDelimited).fork();
    if (violation.zone !== "") writer.tag(1, WireType.LengthDelimited).string(violation.zone);
    if (violation.rule !== "") writer.tag(2, WireType.LengthDelimited).string(violation.rule);
    if (violation.mode !== ProtoMode.UNSPECIFIED) writer.tag(3, WireType.Varint).int32(violation.mode);
    if (violation.enforced) writer.tag(4, WireType.Varint).bool(true);
    for (const label of violation.labels) writer.tag(5, WireType.LengthDelimited).string(label);
    if (violation.reason !== "") writer.tag(6, WireType.LengthDelimited).string(violation.reason);
    writer.join();
  }
}

/** The hand codecs of every DecisionService method, for grpc-kit's `serviceDefinition`. */
export const DECISION_CODECS = {
  check: { decodeRequest: decodeCheckRequest, encodeResponse: encodeCheckResponse },
  checkBatch: { decodeRequest: decodeCheckBatchRequest, encodeResponse: encodeCheckBatchResponse },
  checkStream: { decodeRequest: decodeCheckRequest, encodeResponse: encodeCheckResponse },
} as const;
