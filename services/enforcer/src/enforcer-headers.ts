import type { IHeaders } from "kafkajs";

import type { Violation } from "@flowzone/engine";
import { FLOW_HEADERS } from "@flowzone/kafka";

/**
 * Headers the enforcer adds beside the contract's `flowzone-*` flow headers.
 * - `flowzone-violations` (quarantined for a policy denial): JSON array, one object per violation
 *   of the decision, `{"zone","rule","mode","enforced","labels","reason"}`, logging-mode ones too.
 * - `flowzone-error` (quarantined because the record could not be decided at all: unparseable
 *   flowzone headers, an undeclared label or unknown source asset, an empty value): one sentence.
 * - `flowzone-origin`: `<topic>/<partition>/<offset>` of the input record, on quarantined records,
 *   so an operator can find and replay it.
 */
export const ENFORCER_HEADERS = {
  violations: FLOW_HEADERS.violations,
  error: "flowzone-error",
  origin: "flowzone-origin",
} as const;

/** Every header the enforcer owns: stripped from inputs so a producer cannot forge them. */
const OWNED: ReadonlySet<string> = new Set([...Object.values(FLOW_HEADERS), ...Object.values(ENFORCER_HEADERS)]);

/** The input's headers without the flowzone ones (which the enforcer rewrites). */
export function passThroughHeaders(headers: IHeaders | undefined): IHeaders {
  const kept: IHeaders = {};
  if (headers === undefined) return kept;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !OWNED.has(name)) kept[name] = value;
  }
  return kept;
}

/** The `flowzone-violations` header value: JSON, readable with `kcat` and parseable by tools. */
export function encodeViolationsHeader(violations: readonly Violation[]): string {
  return JSON.stringify(
    violations.map((v) => ({ zone: v.zone, rule: v.rule, mode: v.mode, enforced: v.enforced, labels: v.labels, reason: v.reason })),
  );
}

/** One violation as the `flowzone-violations` header names it. */
export interface HeaderViolation {
  readonly zone: string;
  readonly rule: string;
  /** Whether this violation denied the record (its zone or rule in enforcement). */
  readonly enforced: boolean;
  readonly labels: readonly string[];
}

/**
 * The violations of a `flowzone-violations` header (as {@link encodeViolationsHeader} wrote it),
 * or undefined when the header is absent or not that JSON (a record quarantined as undecidable
 * has none).
 */
export function decodeViolationsHeader(value: IHeaders[string]): HeaderViolation[] | undefined {
  const text = headerText(value);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const violations: HeaderViolation[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== "object" || item === null) return undefined;
    const { zone, rule, enforced, labels } = item as Record<string, unknown>;
    if (typeof zone !== "string" || typeof rule !== "string" || typeof enforced !== "boolean" || !Array.isArray(labels) || !labels.every((l) => typeof l === "string")) return undefined;
    violations.push({ zone, rule, enforced, labels });
  }
  return violations;
}

/** Where an input record sat: what `flowzone-origin` says. */
export interface OriginPosition {
  readonly topic: string;
  readonly partition: number;
  /** Decimal string, as kafkajs gives offsets. */
  readonly offset: string;
}

/** A `flowzone-origin` header, `<topic>/<partition>/<offset>`, or undefined when absent or malformed. */
export function decodeOriginHeader(value: IHeaders[string]): OriginPosition | undefined {
  const match = /^([A-Za-z0-9._-]{1,249})\/(\d{1,9})\/(\d{1,19})$/.exec(headerText(value) ?? "");
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return undefined;
  return { topic: match[1], partition: Number(match[2]), offset: match[3] };
}

/** A header's one value as text; undefined when absent or repeated. */
function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  return Buffer.isBuffer(value) ? value.toString("utf8") : value;
}
