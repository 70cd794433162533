import type { AuditWriterStats } from "@flowzone/audit";
import type { ControlRejectionSummary, ControlTopicStatus } from "@flowzone/policy-runtime";

/** Why audit and the control topic are off without brokers: said in every health answer, not only once in the log. */
export const NO_BROKERS = {
  audit: "no Kafka brokers configured: violations are answered but not audited",
  controlTopic: "no Kafka brokers configured: pushed bundles, zone flips and exceptions are not followed; the policy directory's bundle decides",
} as const;

/**
 * The audit trail: off (no brokers), writing to Kafka, spooling to disk while Kafka does not
 * answer, or unable to write its spool (which says most: violations are then refused records).
 */
export type AuditHealth =
  | { readonly state: "off"; readonly detail: string }
  | { readonly state: "writing"; readonly spooledRecords: number }
  | { readonly state: "spooling"; readonly spooledRecords: number; readonly lastError: string | undefined }
  | { readonly state: "unwritable"; readonly detail: string; readonly spooledRecords: number; readonly lastError: string };

/** The control topic: off (no brokers), waiting to be read once, or read; with what its records' signatures showed. */
export type ControlTopicHealth =
  | { readonly state: "off"; readonly detail: string }
  | { readonly state: "waiting"; readonly detail: string; readonly attempts: number; readonly lastError: string | undefined; readonly signatures: ControlSignatureHealth }
  | { readonly state: "read"; readonly signatures: ControlSignatureHealth };

/**
 * Whether control records are verified (`FLOWZONE_CONTROL_VERIFY_KEYS`) and how many were not
 * applied since start, by reason, with the latest. Rejections are reported, not made "not
 * ready": the service decides under the last validly signed state, and a readiness anyone who
 * can write the topic could switch off would hand that writer every replica (docs/reference/kafka.md).
 */
export type ControlSignatureHealth =
  | { readonly verified: false; readonly detail: string }
  | {
      readonly verified: true;
      readonly rejectedRecords: number;
      readonly rejectedByReason: Readonly<Record<string, number | undefined>>;
      readonly lastRejected?: {
        readonly key: string;
        readonly partition: number;
        readonly offset: string;
        readonly reason: string;
        readonly keyId: string | undefined;
        readonly detail: string;
        readonly at: string;
      };
    };

/**
 * What the decision service says about itself on `/healthz`, `/readyz` and `health()`. `ready`
 * means it decides under the current state: the control topic has been read once (or there is
 * none to read, without brokers); and that it can keep audit records: a replica whose spool cannot
 * write refuses them, so a balancer had better send its callers to another. Not ready, it still
 * answers, under the directory's bundle.
 */
export interface DecisionServiceHealth {
  readonly status: "ready" | "not_ready";
  readonly policyVersion: string;
  readonly audit: AuditHealth;
  readonly controlTopic: ControlTopicHealth;
}

/** Builds the health answer from the control topic's status, its rejected records and the audit writer's counters (undefined: no audit). */
export function healthReport(policyVersion: string, control: ControlTopicStatus, rejections: ControlRejectionSummary, audit: AuditWriterStats | undefined): DecisionServiceHealth {
  return {
    status: control.state === "waiting" || audit?.spoolError !== undefined ? "not_ready" : "ready",
    policyVersion,
    audit: auditHealth(audit),
    controlTopic: controlTopicHealth(control, signatureHealth(rejections)),
  };
}

function auditHealth(stats: AuditWriterStats | undefined): AuditHealth {
  if (stats === undefined) return { state: "off", detail: NO_BROKERS.audit };
  if (stats.spoolError !== undefined) return { state: "unwritable", detail: SPOOL_UNWRITABLE, spooledRecords: stats.spooledRecords, lastError: stats.spoolError };
  if (stats.degraded) return { state: "spooling", spooledRecords: stats.spooledRecords, lastError: stats.lastError };
  return { state: "writing", spooledRecords: stats.spooledRecords };
}

function signatureHealth(rejections: ControlRejectionSummary): ControlSignatureHealth {
  if (!rejections.verified) return { verified: false, detail: NOT_VERIFIED };
  const { last } = rejections;
  return {
    verified: true,
    rejectedRecords: rejections.total,
    rejectedByReason: rejections.byReason,
    ...(last === undefined
      ? {}
      : {
          lastRejected: {
            key: last.key,
            partition: last.partition,
            offset: last.offset,
            reason: last.reason,
            keyId: last.keyId,
            detail: last.detail,
            at: new Date(last.atMs).toISOString(),
          },
        }),
  };
}

const SPOOL_UNWRITABLE =
  "the audit spool cannot write: answers whose records it holds wait until it can, and new violations' records are refused (a zone that fails closed denies them)";

const NOT_VERIFIED = "no FLOWZONE_CONTROL_VERIFY_KEYS: every control record applies, also one written by whoever else can write the topic";

function controlTopicHealth(status: ControlTopicStatus, signatures: ControlSignatureHealth): ControlTopicHealth {
  switch (status.state) {
    case "off":
      return { state: "off", detail: NO_BROKERS.controlTopic };
    case "waiting":
      return {
        state: "waiting",
        detail: "Kafka has not answered since start: deciding under the policy directory's bundle, without pushed bundles, flips or exceptions, until the control topic has been read",
        attempts: status.attempts,
        lastError: status.lastError,
        signatures,
      };
    case "read":
      return { state: "read", signatures };
  }
}
