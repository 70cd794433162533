/**
 * The SDK's protobuf edge: decision-service responses become plain `DeciderResult`s; nothing
 * else in the package knows flowzone.v1 messages.
 */
import type { Mode, Violation, Write } from "@flowzone/engine";
import { Decision as ProtoDecision, Mode as ProtoMode } from "@flowzone/proto";
import type { CheckResponse, Violation as ProtoViolation } from "@flowzone/proto";

import type { DeciderResult } from "./decider";
import type { FlowViolation } from "./types";

const MODES: Readonly<Record<number, Mode>> = {
  [ProtoMode.OFF]: "off",
  [ProtoMode.LOGGING]: "logging",
  [ProtoMode.ENFORCEMENT]: "enforcement",
};

/**
 * A `CheckResponse` as a result. The service does not return the labels its sources carry, so
 * the header labels are the declared ones plus those its violations name (the protected ones).
 */
export function fromCheckResponse(response: CheckResponse, write: Write): DeciderResult {
  const violations = response.violations.map(fromProtoViolation);
  return {
    allow: response.decision !== ProtoDecision.DENY,
    decisionId: response.decisionId,
    policyVersion: response.policyVersion,
    violations,
    labels: mergeLabels(write.labels, violations),
  };
}

/** An engine violation as the SDK reports it (the fail mode stays inside). */
export function fromEngineViolation(violation: Violation): FlowViolation {
  return { zone: violation.zone, rule: violation.rule, mode: violation.mode, enforced: violation.enforced, labels: violation.labels, reason: violation.reason };
}

function fromProtoViolation(violation: ProtoViolation): FlowViolation {
  return {
    zone: violation.zone,
    rule: violation.rule,
    mode: MODES[violation.mode] ?? "off",
    enforced: violation.enforced,
    labels: violation.labels,
    reason: violation.reason,
  };
}

function mergeLabels(labels: readonly string[], violations: readonly FlowViolation[]): readonly string[] {
  if (violations.length === 0) return labels;
  const all = new Set(labels);
  for (const violation of violations) for (const label of violation.labels) all.add(label);
  return [...all];
}
