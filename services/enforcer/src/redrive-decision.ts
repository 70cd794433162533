import type { IHeaders, KafkaMessage } from "kafkajs";

import { encodeRedriveAudit, type EncodedAuditRecord, type StreamPosition } from "@flowzone/audit";
import type { PolicyEngine } from "@flowzone/engine";
import { decodeFlowHeaders } from "@flowzone/kafka";

import { NOT_WRITTEN_AS_DECIDED } from "./chunk-plan";
import { decodeOriginHeader, decodeViolationsHeader, ENFORCER_HEADERS } from "./enforcer-headers";
import { routeRecord } from "./record-flow";
import { sinkOf, type Route } from "./route";

/** A violation of a quarantined record as the backlog keys it: what `--violation ID` is matched on. */
export interface QuarantinedViolation {
  readonly zone: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
}

/** Which quarantined records a re-drive considers; the others are counted `skipped`. */
export type RedriveFilter = (violations: readonly QuarantinedViolation[]) => boolean;

/** What a re-drive does with one quarantined record. */
export type RedriveOutcome =
  | { readonly kind: "skipped" }
  | { readonly kind: "alreadyRedriven" }
  | { readonly kind: "unreadable"; readonly reason: string }
  | { readonly kind: "stillDenied" }
  | {
      readonly kind: "redriven";
      /** The record for the route's target, as the enforcer would have forwarded it. */
      readonly forward: { readonly key: Buffer | null; readonly value: Buffer | null; readonly headers: IHeaders };
      readonly audit: EncodedAuditRecord;
      /** The ledger key, `<quarantine topic>/<partition>/<offset>`. */
      readonly ledgerKey: string;
    };

/** Everything one record's outcome depends on besides the record. */
export interface RedriveContext {
  readonly engine: PolicyEngine;
  /** A route with `to` (and so a quarantine topic). */
  readonly route: Route & { readonly to: string; readonly quarantine: string };
  /** Ledger keys of the records re-driven before. */
  readonly ledger: ReadonlySet<string>;
  readonly filter: RedriveFilter | undefined;
  readonly actor: string;
  readonly nowMs: number;
}

/** The ledger key of a quarantined record. */
export function ledgerKeyOf(position: StreamPosition): string {
  return `${position.topic}/${position.partition}/${position.offset}`;
}

/**
 * Decides again one record of a route's quarantine topic (pure). It is put back together as the
 * input the enforcer read (topic, partition and offset from `flowzone-origin`, key, value and
 * headers as quarantined: the enforcer's own headers are stripped and rewritten by
 * {@link routeRecord}, as for any input) and routed by the very code the enforcer runs, so an
 * allowed record is forwarded with the headers, and the decision id, it would have had.
 * Filtered out: `skipped`; in the ledger: `alreadyRedriven`; no usable origin, still undecidable,
 * or once too large to write: `unreadable`; a violation still enforced: `stillDenied`.
 */
export function redriveOutcome(context: RedriveContext, partition: number, message: KafkaMessage): RedriveOutcome {
  const { route, engine } = context;
  const headers = message.headers ?? {};
  const denials = decodeViolationsHeader(headers[ENFORCER_HEADERS.violations]) ?? [];
  const violations = denials.map((v) => ({ zone: v.zone, rule: v.rule, producer: route.producer, sink: sinkOf(route), labels: v.labels }));
  if (context.filter !== undefined && !context.filter(violations)) return { kind: "skipped" };
  const quarantined: StreamPosition = { topic: route.quarantine, partition, offset: message.offset };
  const ledgerKey = ledgerKeyOf(quarantined);
  if (context.ledger.has(ledgerKey)) return { kind: "alreadyRedriven" };
  const origin = decodeOriginHeader(headers[ENFORCER_HEADERS.origin]);
  if (origin === undefined) return { kind: "unreadable", reason: `no readable ${ENFORCER_HEADERS.origin} header` };
  if (origin.topic !== route.from) return { kind: "unreadable", reason: `${ENFORCER_HEADERS.origin} names topic ${origin.topic}, not the route's source ${route.from}` };
  const error = headers[ENFORCER_HEADERS.error]?.toString() ?? "";
  if (error.startsWith(NOT_WRITTEN_AS_DECIDED)) return { kind: "unreadable", reason: error };
  const routed = routeRecord(engine, route, { ...origin, key: message.key, value: message.value, headers }, context.nowMs);
  if (routed.error !== undefined) return { kind: "unreadable", reason: routed.error };
  if (routed.topic !== route.to) return { kind: "stillDenied" };
  const flow = decodeFlowHeaders(routed.headers);
  const audit = encodeRedriveAudit({
    // The zone that had denied it: its first enforced violation's.
    zone: (denials.find((v) => v.enforced) ?? denials[0])?.zone ?? "",
    route: route.name,
    quarantined,
    origin,
    target: route.to,
    producer: route.producer,
    sink: sinkOf(route),
    labels: flow.ok ? flow.flow.labels : [],
    actor: context.actor,
    policyVersion: engine.version,
    timeMs: context.nowMs,
  });
  return { kind: "redriven", forward: { key: routed.key, value: routed.value, headers: routed.headers }, audit, ledgerKey };
}
