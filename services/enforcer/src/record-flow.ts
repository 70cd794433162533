import type { IHeaders } from "kafkajs";

import { encodeViolationAudit, type EncodedAuditRecord } from "@flowzone/audit";
import { countOverLimit, WriteError, type PolicyEngine, type Violation, type Write } from "@flowzone/engine";
import { decodeFlowHeaders, encodeFlowHeaders, FLOW_HEADERS, type RecordFlow } from "@flowzone/kafka";
import { TRACEPARENT_HEADER, traceIdOf } from "@flowzone/trace-context";

import { ENFORCER_HEADERS, encodeViolationsHeader, passThroughHeaders } from "./enforcer-headers";
import { sinkOf, type Route } from "./route";

/** One consumed record, as the route worker hands it over. */
export interface InputRecord {
  readonly topic: string;
  readonly partition: number;
  /** Decimal string, as kafkajs gives it. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
}

/** Where a record goes: its output record (if any) and the audit records of its violations. */
export interface RoutedRecord {
  /** `to`, the quarantine topic, or undefined when nothing is written (observe-only routes). */
  readonly topic: string | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly audits: readonly EncodedAuditRecord[];
  /** Why the record could not be decided; set for malformed records. */
  readonly error?: string;
  /** True when the record went to quarantine for an enforced violation. */
  readonly denied: boolean;
  /** The write decided (its sources with `kafka:<from>` when declared); undefined when the record could not be decided. */
  readonly write?: Write;
}

/**
 * Decides one record of a route with `engine` (pure: no I/O; `nowMs` dates the audit records).
 * Labels are the record's `flowzone-labels` plus those of the `from` topic's asset and of every
 * `flowzone-sources` asset; allowed and logging-mode records go to `to` with the full label set
 * propagated, enforced violations to quarantine with `flowzone-violations`, and records that
 * cannot be decided to quarantine with `flowzone-error`; never forwarded, never dropped.
 * The decision id `<route>:<partition>:<offset>` is deterministic: a batch re-processed after an
 * aborted transaction yields the same ids, and a committed record has exactly one.
 * A W3C `traceparent` header (the producer's trace context) puts its trace id into the audit
 * records, as the decision service does with the gRPC `traceparent` metadata; it is passed on.
 */
export function routeRecord(engine: PolicyEngine, route: Route, record: InputRecord, nowMs: number): RoutedRecord {
  const decisionId = `${route.name}:${record.partition}:${record.offset}`;
  const parsed = decodeFlowHeaders(record.headers);
  if (!parsed.ok) return rejected(route, record, `unparseable flowzone headers: ${parsed.reason}`);
  if (record.value === null || record.value.length === 0) {
    return rejected(route, record, "the record has an empty value; the enforcer only routes records that carry data");
  }
  const flow = parsed.flow;
  const overLimit = headerCountError(engine, flow);
  if (overLimit !== undefined) return rejected(route, record, overLimit.message);
  const sources = sourcesOf(engine, record.topic, flow.sources);
  const write: Write = { producer: route.producer, sink: sinkOf(route), labels: flow.labels, sources, purpose: flow.purpose };
  let decision;
  try {
    decision = engine.decide(write, nowMs);
  } catch (error) {
    const reason = error instanceof WriteError ? error.message : `the policy engine failed: ${error instanceof Error ? error.message : String(error)}`;
    return rejected(route, record, reason);
  }
  const outFlow: RecordFlow = { labels: labelsCarried(engine, flow.labels, sources), sources, purpose: flow.purpose, decisionId };
  const audits = decision.violations.length === 0 ? NO_AUDITS : auditsOf(engine, record, decision.violations, { decisionId, write, nowMs });
  const headers = encodeFlowHeaders(outFlow, passThroughHeaders(record.headers));
  if (decision.allow) return { topic: route.to, key: record.key, value: record.value, headers, audits, denied: false, write };
  headers[ENFORCER_HEADERS.violations] = encodeViolationsHeader(decision.violations);
  headers[ENFORCER_HEADERS.origin] = originOf(record);
  return { topic: route.quarantine, key: record.key, value: record.value, headers, audits, denied: true, write };
}

/** The audit records of a record without violations: most records, so one shared empty list. */
const NO_AUDITS: readonly EncodedAuditRecord[] = Object.freeze([]);

/** One audit record per violation, with the record's position and the producer's trace id. */
function auditsOf(engine: PolicyEngine, record: InputRecord, violations: readonly Violation[], decided: { readonly decisionId: string; readonly write: Write; readonly nowMs: number }): EncodedAuditRecord[] {
  const position = { topic: record.topic, partition: record.partition, offset: record.offset };
  const traceId = traceIdOf(record.headers?.[TRACEPARENT_HEADER]);
  return violations.map((violation, index) =>
    encodeViolationAudit(
      { decisionId: decided.decisionId, write: decided.write, violation, enforcementPoint: "stream_enforcer", policyVersion: engine.version, traceId, timeMs: decided.nowMs, position },
      index,
    ),
  );
}

/**
 * Why the record's headers list more labels or sources than the bundle's Defaults allow, naming
 * the header and the limit, or undefined. Checked on the headers as sent, before the enforcer
 * adds the `from` topic's asset; the engine bounds the write it then decides as well.
 */
function headerCountError(engine: PolicyEngine, flow: RecordFlow): WriteError | undefined {
  const { maxLabels, maxSources } = engine.bundle.defaults;
  // The field names are built only for an error: this runs for every record.
  if (flow.labels.length > maxLabels) return countOverLimit(`header ${FLOW_HEADERS.labels}`, flow.labels.length, maxLabels, "maxLabels of the bundle's Defaults");
  if (flow.sources.length > maxSources) return countOverLimit(`header ${FLOW_HEADERS.sources}`, flow.sources.length, maxSources, "maxSources of the bundle's Defaults");
  return undefined;
}

function rejected(route: Route, record: InputRecord, reason: string): RoutedRecord {
  // The input's headers are kept as they were (even the broken ones): quarantine is for forensics.
  const headers: IHeaders = { ...(record.headers ?? {}), [ENFORCER_HEADERS.error]: reason, [ENFORCER_HEADERS.origin]: originOf(record) };
  return { topic: route.quarantine, key: record.key, value: record.value, headers, audits: [], error: reason, denied: true };
}

function originOf(record: InputRecord): string {
  return `${record.topic}/${record.partition}/${record.offset}`;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/**
 * By topic: its asset id `kafka:<topic>` (one string per topic, so the bundle's asset map hashes
 * it once, not once per record) and `[kafka:<topic>]`, frozen: the sources of a record that
 * declares none, read from a declared topic. The topics are the routes' `from` topics.
 */
const topicAssets = new Map<string, { readonly asset: string; readonly sources: readonly string[] }>();

/**
 * The sources a record's write names: its `flowzone-sources`, after the `from` topic's asset when
 * the bundle declares it (an undeclared one carries no labels). Frozen and shared for a record that
 * declares none.
 */
function sourcesOf(engine: PolicyEngine, topic: string, declared: readonly string[]): readonly string[] {
  let from = topicAssets.get(topic);
  if (from === undefined) {
    const asset = `kafka:${topic}`;
    from = { asset, sources: Object.freeze([asset]) };
    topicAssets.set(topic, from);
  }
  const fromDeclared = engine.bundle.assets.has(from.asset);
  if (declared.length > 0) return fromDeclared ? unique([from.asset, ...declared]) : unique(declared);
  return fromDeclared ? from.sources : declared;
}

/**
 * The labels carried on, by engine, then by the record's declared labels and its sources, when
 * both are frozen lists (decodeFlowHeaders hands out one per header text; {@link sourcesOf} one
 * per topic): a stream repeats few of them, and each is worked out once per policy.
 */
const carried = new WeakMap<PolicyEngine, WeakMap<readonly string[], WeakMap<readonly string[], readonly string[]>>>();

/** The record's labels and those of its source assets, each once. */
function labelsCarried(engine: PolicyEngine, labels: readonly string[], sources: readonly string[]): readonly string[] {
  if (!Object.isFrozen(labels) || !Object.isFrozen(sources)) return carriedLabels(engine, labels, sources);
  const byLabels = entryOf(carried, engine, () => new WeakMap());
  const bySources = entryOf(byLabels, labels, () => new WeakMap());
  return entryOf(bySources, sources, () => Object.freeze(carriedLabels(engine, labels, sources)));
}

/** The entry of `key` in `map`, made and kept on first use. */
function entryOf<K extends object, V>(map: WeakMap<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function carriedLabels(engine: PolicyEngine, labels: readonly string[], sources: readonly string[]): string[] {
  const all = new Set(labels);
  for (const source of sources) for (const label of engine.bundle.assets.get(source)?.labels ?? []) all.add(label);
  return [...all];
}
