import { isUtf8 } from "node:buffer";

import type { IHeaders } from "kafkajs";

/** Header names on data records (docs/reference/kafka.md). */
export const FLOW_HEADERS = {
  labels: "flowzone-labels",
  sources: "flowzone-sources",
  purpose: "flowzone-purpose",
  decision: "flowzone-decision",
  violations: "flowzone-violations",
} as const;

/** The flow a data record carries in its headers. */
export interface RecordFlow {
  readonly labels: readonly string[];
  readonly sources: readonly string[];
  /** "" when the record declares none. */
  readonly purpose: string;
  /** "" when no decision was recorded. */
  readonly decisionId: string;
}

export type FlowHeadersResult =
  | { readonly ok: true; readonly flow: RecordFlow }
  | { readonly ok: false; readonly reason: string };

/** A label or asset id inside a list header: no spaces, no commas, not empty. */
const LIST_ITEM = /^[^\s,]+$/;

/** Writes a flow as headers (into `headers`, when given): labels sorted and de-duplicated, empty headers left out. */
export function encodeFlowHeaders(flow: RecordFlow, headers: IHeaders = {}): IHeaders {
  const labels = [...new Set(flow.labels)].sort();
  if (labels.length > 0) headers[FLOW_HEADERS.labels] = labels.join(",");
  if (flow.sources.length > 0) headers[FLOW_HEADERS.sources] = flow.sources.join(",");
  if (flow.purpose !== "") headers[FLOW_HEADERS.purpose] = flow.purpose;
  if (flow.decisionId !== "") headers[FLOW_HEADERS.decision] = flow.decisionId;
  return headers;
}

/**
 * Reads the flowzone headers of a record. Absent headers mean "nothing declared"; a header that is
 * repeated, not UTF-8, or holds an empty or blank item cannot be trusted, and the reason says
 * which header and why, so the enforcer can quarantine the record with it.
 */
export function decodeFlowHeaders(headers: IHeaders | undefined): FlowHeadersResult {
  const labels = readList(headers, FLOW_HEADERS.labels);
  if (typeof labels === "string") return { ok: false, reason: labels };
  const sources = readList(headers, FLOW_HEADERS.sources);
  if (typeof sources === "string") return { ok: false, reason: sources };
  const purpose = readSingle(headers, FLOW_HEADERS.purpose);
  if (purpose.error !== undefined) return { ok: false, reason: purpose.error };
  if (purpose.value !== "" && !LIST_ITEM.test(purpose.value)) {
    return { ok: false, reason: `header ${FLOW_HEADERS.purpose} "${purpose.value}" must be one word without spaces or commas` };
  }
  const decision = readSingle(headers, FLOW_HEADERS.decision);
  if (decision.error !== undefined) return { ok: false, reason: decision.error };
  return { ok: true, flow: { labels, sources, purpose: purpose.value, decisionId: decision.value } };
}

function readSingle(headers: IHeaders | undefined, name: string): { value: string; error?: string } {
  const raw = headers?.[name];
  if (raw === undefined) return { value: "" };
  if (Array.isArray(raw)) {
    if (raw.length === 1) return readSingle({ [name]: raw[0] }, name);
    return { value: "", error: `header ${name} appears ${raw.length} times; it must appear once` };
  }
  if (typeof raw === "string") return { value: raw };
  if (!isUtf8(raw)) return { value: "", error: `header ${name} is not valid UTF-8` };
  return { value: raw.toString("utf8") };
}

function readList(headers: IHeaders | undefined, name: string): readonly string[] | string {
  const { value, error } = readSingle(headers, name);
  if (error !== undefined) return error;
  if (value === "") return [];
  const items = value.split(",");
  const bad = items.find((item) => !LIST_ITEM.test(item));
  if (bad !== undefined) {
    return `header ${name} "${value}" has ${bad === "" ? "an empty item" : `a malformed item "${bad}"`}; expected comma-separated names without spaces`;
  }
  return items;
}
