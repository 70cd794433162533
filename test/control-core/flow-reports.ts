/**
 * FlowReport records as the decision points write them to the flows topic (key = signature), for
 * the flow inventory's tests. The signature here is a hash of the flow's fields: the store only
 * needs one per distinct flow.
 */
import { createHash } from "node:crypto";

import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { decodeFlowReport, flowReportId, type FlowBatch } from "@flowzone/control";
import { EnforcementPoint, FlowReportSchema } from "@flowzone/proto";

/** One distinct flow. */
export interface ReportedFlow {
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly sources?: readonly string[];
  readonly purpose?: string;
}

/** The flow's signature: a hex SHA-256 of its fields. */
export function flowSignature(flow: ReportedFlow): string {
  return createHash("sha256")
    .update(JSON.stringify([flow.producer, flow.sink, flow.labels, flow.sources ?? [], flow.purpose ?? ""]))
    .digest("hex");
}

/** A FlowReport of `count` decisions of `flow` by `reporter` in the 5 s window ending at `lastSeenMs`. */
export function flowReport(flow: ReportedFlow, count: number, lastSeenMs: number, reporter = "pdp-test"): { key: string; value: Buffer } {
  const signature = flowSignature(flow);
  const report = create(FlowReportSchema, {
    signature,
    producer: flow.producer,
    sink: flow.sink,
    labels: [...flow.labels],
    sources: [...(flow.sources ?? [])],
    purpose: flow.purpose ?? "",
    count: BigInt(count),
    windowStart: timestampFromMs(lastSeenMs - 5000),
    windowEnd: timestampFromMs(lastSeenMs),
    lastSeen: timestampFromMs(lastSeenMs),
    enforcementPoint: EnforcementPoint.DECISION_SERVICE,
    reporter,
    policyVersion: "sha256:test@0",
  });
  return { key: signature, value: Buffer.from(toBinary(FlowReportSchema, report)) };
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
