/**
 * FlowReport records as the decision points write them to the flows topic, encoded by their own
 * encoder (@flowzone/flow-report), for the flow inventory's tests.
 */
import { decodeFlowReport, flowReportId, type FlowBatch } from "@flowzone/control";
import { canonicalFlow, encodeFlowReport, flowSignature } from "@flowzone/flow-report";

/** One distinct flow; sources and purpose default to none. */
export interface ReportedFlow {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly sources?: readonly string[];
  readonly purpose?: string;
}

/** The flow's signature, as every decision point computes it. */
export function reportedSignature(flow: ReportedFlow): string {
  return flowSignature({ sources: [], purpose: "", ...flow });
}

/** A FlowReport of `count` decisions of `flow` by `reporter` in the 5 s window ending at `lastSeenMs`. */
export function flowReport(flow: ReportedFlow, count: number, lastSeenMs: number, reporter = "pdp-test"): { key: string; value: Buffer } {
  const canonical = canonicalFlow({ sources: [], purpose: "", ...flow });
  return encodeFlowReport(
    { signature: flowSignature(canonical), flow: canonical, count, lastSeenMs },
    { startMs: lastSeenMs - 5000, endMs: lastSeenMs },
    { enforcementPoint: "decision_service", reporter, policyVersion: "sha256:test@0" },
  );
}

/** Records of the flows topic as one batch of partition 0 of `topic` from `firstOffset`, decoded as the consumer decodes them. */
export function flowBatch(topic: string, firstOffset: number, records: readonly { key: string; value: Buffer }[]): FlowBatch {
  return {
    topic,
    partition: 0,
    clusterId: "cluster-a",
    highWatermark: String(firstOffset + records.length),
    records: records.map((record, index) => {
      const report = decodeFlowReport(record.value, record.key);
      return { offset: String(firstOffset + index), id: flowReportId(report), report };
    }),
  };
}
