/**
 * The control plane's edge to `flowzone.v1.FlowReport`: what the flow inventory learns from one
 * record of the flows topic. Protobuf types stop here. A report that is not a FlowReport, or that
 * contradicts itself, is refused with the reason, so the consumer can log it and go on.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Write } from "@flowzone/engine";
import { FlowReportSchema } from "@flowzone/proto";

import { normaliseLabels } from "./signature";

/** One decision point's report of one flow over one window, as the inventory counts it (labels and sources sorted, without duplicates). */
export interface FlowReportFact extends Write {
  /** Hex SHA-256 of the flow's canonical form, as the decision point computed it (also the record key). */
  readonly signature: string;
  /** Decisions of the flow in the window, at least 1. */
  readonly count: number;
  readonly windowStartMs: number;
  /** The window's last decision of the flow. */
  readonly lastSeenMs: number;
  readonly reporter: string;
}

const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Decodes one record of the flows topic, keyed `key`. Throws an Error saying what is wrong when
 * the bytes are not a FlowReport or the report is inconsistent (no signature, a key that is not
 * its signature, no producer or sink, a count below 1, no last-seen time or one before the window).
 */
export function decodeFlowReport(value: Uint8Array, key: string | null): FlowReportFact {
  const report = fromBinary(FlowReportSchema, value);
  const fail = (reason: string): never => {
    throw new Error(reason);
  };
  if (!SIGNATURE.test(report.signature)) fail(`signature ${JSON.stringify(report.signature)} is not a hex SHA-256`);
  if (key !== report.signature) fail(`record key ${JSON.stringify(key)} is not the report's signature ${report.signature}`);
  if (report.producer === "") fail("producer is empty");
  if (report.sink === "") fail("sink is empty");
  if (report.count < 1n || report.count > BigInt(Number.MAX_SAFE_INTEGER)) fail(`count ${report.count} is not between 1 and ${Number.MAX_SAFE_INTEGER}`);
  const lastSeenMs = report.lastSeen === undefined ? fail("last_seen is missing") : timestampDate(report.lastSeen).getTime();
  const windowStartMs = report.windowStart === undefined ? lastSeenMs : timestampDate(report.windowStart).getTime();
  if (lastSeenMs < windowStartMs) fail(`last_seen ${new Date(lastSeenMs).toISOString()} is before window_start ${new Date(windowStartMs).toISOString()}`);
  return {
    signature: report.signature,
    producer: report.producer,
    sink: report.sink,
    labels: normaliseLabels(report.labels),
    sources: normaliseLabels(report.sources),
    purpose: report.purpose,
    count: Number(report.count),
    windowStartMs,
    lastSeenMs,
    reporter: report.reporter,
  };
}

/**
 * What tells one report from another on the topic: its reporter, flow and window. Stored with the
 * partition's offset, it proves on the next start that the offset still belongs to this
 * incarnation of the topic (see offset-identity.ts).
 */
export function flowReportId(fact: FlowReportFact): string {
  return `${fact.reporter}/${fact.signature}/${fact.windowStartMs}`;
}
