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
  if (flow.labels.length > 0) headers[FLOW_HEADERS.labels] = listText(labelsTexts, flow.labels, sortedLabels);
  if (flow.sources.length > 0) headers[FLOW_HEADERS.sources] = listText(sourcesTexts, flow.sources, (sources) => sources.join(","));
  if (flow.purpose !== "") headers[FLOW_HEADERS.purpose] = flow.purpose;
  if (flow.decisionId !== "") headers[FLOW_HEADERS.decision] = flow.decisionId;
  return headers;
}

function sortedLabels(labels: readonly string[]): string {
  return [...new Set(labels)].sort().join(",");
}

/**
 * The header text of each frozen list written before: a stream's records carry few distinct
 * lists, and the enforcer passes on the frozen lists {@link decodeFlowHeaders} hands out.
 */
const labelsTexts = new WeakMap<readonly string[], string>();
const sourcesTexts = new WeakMap<readonly string[], string>();

function listText(texts: WeakMap<readonly string[], string>, list: readonly string[], write: (list: readonly string[]) => string): string {
  if (!Object.isFrozen(list)) return write(list);
  let text = texts.get(list);
  if (text === undefined) {
    text = write(list);
    texts.set(list, text);
  }
  return text;
}

/**
 * Reads the flowzone headers of a record. Absent headers mean "nothing declared"; a header that is
 * repeated, not UTF-8, or holds an empty or blank item cannot be trusted, and the reason says
 * which header and why, so the enforcer can quarantine the record with it. The lists it returns
 * are frozen, and the same list for the same header text (see {@link ListsRead}).
 */
export function decodeFlowHeaders(headers: IHeaders | undefined): FlowHeadersResult {
  const labels = labelsRead.read(headers);
  if (labels instanceof HeaderFault) return { ok: false, reason: labels.reason };
  const sources = sourcesRead.read(headers);
  if (sources instanceof HeaderFault) return { ok: false, reason: sources.reason };
  const purpose = readSingle(headers, FLOW_HEADERS.purpose);
  if (purpose instanceof HeaderFault) return { ok: false, reason: purpose.reason };
  if (purpose !== "" && !LIST_ITEM.test(purpose)) {
    return { ok: false, reason: `header ${FLOW_HEADERS.purpose} "${purpose}" must be one word without spaces or commas` };
  }
  const decision = readSingle(headers, FLOW_HEADERS.decision);
  if (decision instanceof HeaderFault) return { ok: false, reason: decision.reason };
  return { ok: true, flow: { labels, sources, purpose, decisionId: decision } };
}

/** Why a header cannot be trusted. */
class HeaderFault {
  constructor(readonly reason: string) {}
}

/** A header's one value as text ("" when absent), or why it cannot be read. */
function readSingle(headers: IHeaders | undefined, name: string): string | HeaderFault {
  let raw = headers?.[name];
  if (raw === undefined) return "";
  if (Array.isArray(raw)) {
    if (raw.length !== 1) return new HeaderFault(`header ${name} appears ${raw.length} times; it must appear once`);
    raw = raw[0];
    if (raw === undefined) return "";
  }
  if (typeof raw === "string") return raw;
  if (!isUtf8(raw)) return new HeaderFault(`header ${name} is not valid UTF-8`);
  return raw.toString("utf8");
}

const NOTHING: readonly string[] = Object.freeze([]);

/** How many distinct texts of one list header are remembered; past it, they are forgotten and learnt again. */
const LISTS_KEPT = 1024;

/**
 * One list header's lists, read once per distinct text: a stream's records carry few distinct
 * label and source lists, and splitting and checking each record's again cost more than its
 * decision. Bounded by {@link LISTS_KEPT}; headers that cannot be trusted are not remembered.
 */
class ListsRead {
  private readonly lists = new Map<string, readonly string[]>();

  constructor(private readonly name: string) {}

  read(headers: IHeaders | undefined): readonly string[] | HeaderFault {
    const text = readSingle(headers, this.name);
    if (text instanceof HeaderFault) return text;
    if (text === "") return NOTHING;
    const known = this.lists.get(text);
    if (known !== undefined) return known;
    const items = text.split(",");
    const bad = items.find((item) => !LIST_ITEM.test(item));
    if (bad !== undefined) {
      return new HeaderFault(`header ${this.name} "${text}" has ${bad === "" ? "an empty item" : `a malformed item "${bad}"`}; expected comma-separated names without spaces`);
    }
    if (this.lists.size >= LISTS_KEPT) this.lists.clear();
    const list = Object.freeze(items);
    this.lists.set(text, list);
    return list;
  }
}

const labelsRead = new ListsRead(FLOW_HEADERS.labels);
const sourcesRead = new ListsRead(FLOW_HEADERS.sources);
