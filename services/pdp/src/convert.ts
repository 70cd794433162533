/**
 * The decision service's protobuf edge: the only file that knows flowzone.v1 messages. Requests
 * become engine `Write`s, engine `Decision`s become responses; everything else works on domain
 * types. Responses are built as plain message literals (protobuf-es v2 messages are plain objects)
 * rather than with `create()`, which walks the schema on every call; and they are encoded by
 * hand (below) rather than with `toBinary`, which walks it for every field: about three times
 * cheaper, byte-identical (proto3 defaults omitted, fields in number order; the spec checks).
 */
import type { Message } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Decision, Mode, Violation, Write } from "@flowzone/engine";
import {
  DecisionService,
  Decision as ProtoDecision,
  Mode as ProtoMode,
  file_flowzone_v1_decision,
} from "@flowzone/proto";
import type {
  CheckBatchRequest,
  CheckBatchResponse,
  CheckRequest,
  CheckResponse,
  Violation as ProtoViolation,
} from "@flowzone/proto";
import type { ServiceHandlers } from "@flowzone/grpc-kit";

/** The service descriptor the server registers, and the file reflection serves. */
export const decisionService = DecisionService;
export const decisionServiceFile = file_flowzone_v1_decision;

/** The grpc-js handlers of `DecisionService`, typed with its messages. */
export type DecisionHandlers = ServiceHandlers<typeof DecisionService>;

const MODES: Readonly<Record<Mode, ProtoMode>> = {
  off: ProtoMode.OFF,
  logging: ProtoMode.LOGGING,
  enforcement: ProtoMode.ENFORCEMENT,
};

/**
 * A request as the engine's `Write`. A `CheckRequest` already has the shape of a `Write`
 * (producer, sink, labels, sources, purpose; proto3 strings default to ""), so it is passed
 * through rather than copied.
 */
export function toWrite(request: CheckRequest): Write {
  return request;
}

/** The caller's id for a request, echoed in responses and named in stream errors. */
export function requestIdOf(request: CheckRequest): string {
  return request.requestId;
}

/** The writes of a batch, in order. */
export function batchRequestsOf(batch: CheckBatchRequest): readonly CheckRequest[] {
  return batch.requests;
}

/** The response for one decided write. */
export function toCheckResponse(request: CheckRequest, decision: Decision, decisionId: string, policyVersion: string): CheckResponse {
  return {
    $typeName: "flowzone.v1.CheckResponse",
    requestId: request.requestId,
    decision: decision.allow ? ProtoDecision.ALLOW : ProtoDecision.DENY,
    decisionId,
    policyVersion,
    violations: decision.violations.length === 0 ? [] : decision.violations.map(toViolation),
  };
}

/** The response of a batch, one entry per request in request order. */
export function toCheckBatchResponse(responses: CheckResponse[]): CheckBatchResponse {
  return { $typeName: "flowzone.v1.CheckBatchResponse", responses };
}

function toViolation(violation: Violation): ProtoViolation {
  return {
    $typeName: "flowzone.v1.Violation",
    zone: violation.zone,
    rule: violation.rule,
    mode: MODES[violation.mode],
    enforced: violation.enforced,
    labels: violation.labels as string[],
    reason: violation.reason,
  };
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
