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
  for (const [name, value] of Object.entries(headers)) {
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
