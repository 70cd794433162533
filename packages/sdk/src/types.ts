import type { Message, RecordMetadata } from "kafkajs";

import type { Mode } from "@flowzone/engine";

/** What a producer declares about the data of one send. */
export interface Flow {
  /** Asset id of the writer, e.g. `svc:orders-api`; default: the producer's `producer` option. */
  readonly producer?: string;
  /** Labels of the data; each must be declared in the bundle. */
  readonly labels: readonly string[];
  /** Asset ids the data was derived from; their labels are added to the write. */
  readonly sources?: readonly string[];
  /** Declared purpose, or omitted / "" for none. */
  readonly purpose?: string;
  /**
   * The producer's W3C trace context. It reaches the decision (gRPC metadata remote; the audit
   * records embedded) and the messages (a `traceparent` header the enforcer reads downstream).
   */
  readonly traceparent?: string;
}

/** One send: the usual kafkajs topic and messages, plus the flow they carry. */
export interface GuardedRecord {
  readonly topic: string;
  readonly messages: readonly Message[];
  readonly flow: Flow;
}

/** A violation as the SDK reports it (from the decision service or the embedded engine). */
export interface FlowViolation {
  readonly zone: string;
  readonly rule: string;
  readonly mode: Mode;
  readonly enforced: boolean;
  /** The zone's protected labels the write carries, sorted. */
  readonly labels: readonly string[];
  readonly reason: string;
}

/**
 * What decided a write. `allow` may still carry violations (a zone in logging: would-deny);
 * `unchecked` means flowzone could not decide and the fail posture was open.
 */
export interface FlowDecision {
  readonly outcome: "allow" | "deny" | "unchecked";
  /** The decision id written in `flowzone-decision`; "unchecked" when none. */
  readonly decisionId: string;
  /** "" when unchecked. */
  readonly policyVersion: string;
  readonly violations: readonly FlowViolation[];
  /** Labels written in `flowzone-labels`: the write's labels and its sources' labels where known. */
  readonly labels: readonly string[];
  /** True when the decision came from the cache. */
  readonly cached: boolean;
}

/** The result of a send that wrote. */
export interface SendResult {
  /** `allow` or `unchecked` (a denied send throws). */
  readonly decision: "allow" | "unchecked";
  readonly decisionId: string;
  readonly policyVersion: string;
  /** Violations of a write that was still allowed (logging mode): would-deny. Empty when clean. */
  readonly violations: readonly FlowViolation[];
  readonly records: readonly RecordMetadata[];
}

/** Counters of a guarded producer, for metrics and tests. */
export interface GuardedProducerStats {
  /** Calls to the decision service (remote) or engine evaluations (embedded). */
  readonly decisionCalls: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Times the cache was dropped because the policy version changed. */
  readonly cacheDrops: number;
  readonly allowed: number;
  /** Sends allowed with violations (logging mode). */
  readonly wouldDeny: number;
  readonly denied: number;
  /** Sends written without a decision (fail open). */
  readonly unchecked: number;
  /** Sends refused because no decision could be had (fail closed). */
  readonly failedClosed: number;
}

