import { encodeViolationAudit, OFFER_REFUSALS, type AuditWriter } from "@flowzone/audit";
import type { Decision, Violation, Write } from "@flowzone/engine";

/** What a decision needs to be audited besides the write and the decision. */
export interface AuditContext {
  readonly decisionId: string;
  readonly policyVersion: string;
  readonly traceId: string;
  /** The authenticated caller, recorded beside the claimed producer; undefined when callers are not authenticated. */
  readonly authenticatedIdentity?: string | undefined;
}

/** Where the audit posture's outcomes are counted (the decision service's `DecisionMetrics`). */
export interface AuditFailureCounter {
  recordAuditFailure(zone: string, failMode: "open" | "closed"): void;
}

/** An audited decision, and the promise to await before answering with it (its records on the device). */
export interface AuditedDecision {
  readonly decision: Decision;
  readonly durable: Promise<void> | undefined;
}

/**
 * Hands one audit record per violation to the audit trail, which writes them ahead to its spool;
 * answer only once `durable` resolves (the writer flushes many decisions' records with one fsync,
 * so the wait is short and shared). When the trail cannot keep them (its spool is full or cannot
 * be written, or it is shutting down), the fail posture of each violated rule decides: a rule
 * that fails closed turns the decision into a deny, and its reason says why; one that fails open
 * lets the decision stand and the writer counts the record it could not keep. A confirmed deny
 * stays a deny either way. Each violation whose record was not kept is counted by its posture in
 * `failures` (fail-open / fail-closed).
 */
export function auditDecision(writer: Pick<AuditWriter, "offer">, write: Write, decision: Decision, context: AuditContext, failures?: AuditFailureCounter): AuditedDecision {
  const violations = decision.violations;
  if (violations.length === 0) return { decision, durable: undefined };
  const timeMs = Date.now();
  const records = violations.map((violation, index) =>
    encodeViolationAudit(
      {
        decisionId: context.decisionId,
        write,
        violation,
        enforcementPoint: "decision_service",
        policyVersion: context.policyVersion,
        traceId: context.traceId,
        timeMs,
        ...(context.authenticatedIdentity === undefined ? {} : { authenticatedIdentity: context.authenticatedIdentity }),
      },
      index,
    ),
  );
  const offered = writer.offer(records);
  if (offered.accepted) return { decision, durable: offered.durable };
  if (failures !== undefined) for (const violation of violations) failures.recordAuditFailure(violation.zone, violation.failMode);
  if (!violations.some((violation) => violation.failMode === "closed")) return { decision, durable: undefined };
  const because = OFFER_REFUSALS[offered.reason];
  return {
    decision: {
      allow: false,
      violations: violations.map((violation): Violation =>
        violation.failMode === "closed"
          ? { ...violation, enforced: true, reason: `${violation.reason} Denied: the audit trail cannot keep this record (${because}) and zone ${violation.zone} fails closed.` }
          : violation,
      ),
    },
    durable: undefined,
  };
}
