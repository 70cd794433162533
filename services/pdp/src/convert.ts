/**
 * The decision service's protobuf edge: the only file that knows flowzone.v1 messages. Requests
 * become engine `Write`s, engine `Decision`s become responses; everything else works on domain
 * types. Responses are built as plain message literals (protobuf-es v2 messages are plain objects)
 * rather than with `create()`, which walks the schema on every call; wire-codec.ts encodes and
 * decodes the hot messages by hand.
 */
import type { Decision, Mode, Violation, Write } from "@flowzone/engine";
import {
  DecisionService,
  Decision as ProtoDecision,
  Mode as ProtoMode,
  file_flowzone_v1_decision,
} from "@flowzone/proto";
import type {
  CheckBatchRequest,
  CheckRequest,
  CheckResponse,
  Violation as ProtoViolation,
} from "@flowzone/proto";
import type { ServiceHandlers } from "@flowzone/grpc-kit";
import { violationFields } from "./encoded-fields";

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
    decision: protoDecisionOf(decision),
    decisionId,
    policyVersion,
    violations: decision.violations.length === 0 ? [] : toViolations(decision.violations),
  };
}

/** A decision's verdict as the protobuf enum. */
export function protoDecisionOf(decision: Decision): ProtoDecision {
  return decision.allow ? ProtoDecision.ALLOW : ProtoDecision.DENY;
}

const NO_FIELDS = new Uint8Array(0);

/**
 * Encoded violation fields by the engine's violation list: the engine reuses a decision's list,
 * frozen, while the decision recurs, so an answer written straight to the wire (batch-answers.ts)
 * finds all of its violations' bytes with one lookup. A list that is not frozen is encoded each time.
 */
const encodedViolationLists = new WeakMap<readonly Violation[], Uint8Array>();

/** A decision's violations as CheckResponse fields in wire format. */
export function violationFieldsOf(decision: Decision): Uint8Array {
  const violations = decision.violations;
  if (violations.length === 0) return NO_FIELDS;
  let fields = encodedViolationLists.get(violations);
  if (fields === undefined) {
    fields = violationFields(toViolations(violations));
    if (Object.isFrozen(violations)) encodedViolationLists.set(violations, fields);
  }
  return fields;
}

/**
 * Protobuf violations by the engine's: the engine reuses a violation while it recurs (same sink,
 * rule, mode and labels), so its message is built once, frozen, and the encoder finds its bytes
 * by it.
 */
const protoViolations = new WeakMap<Violation, ProtoViolation>();

/**
 * Protobuf violation lists by the engine's: the engine reuses a decision's list, frozen, while
 * the decision recurs, so its message list is built once too. A list that is not frozen is new.
 */
const protoViolationLists = new WeakMap<readonly Violation[], ProtoViolation[]>();

function toViolations(violations: readonly Violation[]): ProtoViolation[] {
  if (!Object.isFrozen(violations)) return violations.map(toViolation);
  let list = protoViolationLists.get(violations);
  if (list === undefined) {
    list = Object.freeze(violations.map(toViolation)) as ProtoViolation[];
    protoViolationLists.set(violations, list);
  }
  return list;
}

function toViolation(violation: Violation): ProtoViolation {
  let proto = protoViolations.get(violation);
  if (proto === undefined) {
    proto = Object.freeze(newProtoViolation(violation));
    protoViolations.set(violation, proto);
  }
  return proto;
}

function newProtoViolation(violation: Violation): ProtoViolation {
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
