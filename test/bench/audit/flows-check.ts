/**
 * The flows topic as bench:audit sees it after the run: how many FlowReport records and bytes
 * the flow-reporting service put there, how many distinct flows, and the decisions they add up to.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { FlowReportSchema } from "@flowzone/proto";
import type { Kafka } from "kafkajs";

import { readTopicToEnd } from "../common/read-to-end";

export interface FlowsTopicContents {
  readonly records: number;
  /** Keys and values of those records. */
  readonly bytes: number;
  /** Distinct signatures. */
  readonly flows: number;
  /** Sum of the reports' counts: the decisions reported. */
  readonly decisions: number;
}

/** Reads `topic` from the beginning to its current end offsets and sums its FlowReports. */
export async function readFlowsTopic(kafka: Kafka, topic: string, timeoutMs: number): Promise<FlowsTopicContents> {
  let records = 0;
  let bytes = 0;
  let decisions = 0;
  const signatures = new Set<string>();
  await readTopicToEnd(kafka, topic, timeoutMs, (message) => {
    records++;
    bytes += (message.key?.length ?? 0) + (message.value?.length ?? 0);
    if (message.value === null) return;
    const report = fromBinary(FlowReportSchema, message.value);
    signatures.add(report.signature);
    decisions += Number(report.count);
  });
  return { records, bytes, flows: signatures.size, decisions };
}
