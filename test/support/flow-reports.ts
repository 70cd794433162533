/**
 * Reading what decision points reported to a flows topic: every FlowReport on it (read to the
 * end offsets it has then), and the counts they add up to per flow, as the control plane's
 * inventory sums them.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Kafka } from "kafkajs";

import { FlowReportSchema, type FlowReport } from "@flowzone/proto";

import { waitUntil } from "./poll";
import { readToEnd } from "./topic-tail";

/** Every FlowReport on `topic`, each checked against the record's key and the proto's rules (labels and sources sorted and unique, count > 0, last seen within the window). */
export async function readFlowReports(kafka: Kafka, topic: string): Promise<FlowReport[]> {
  const messages = await readToEnd(kafka, topic);
  return messages.map((message) => {
    if (message.value === null) throw new Error(`a null value on ${topic}`);
    const report = fromBinary(FlowReportSchema, message.value);
    const problems = [
      message.key?.toString() === report.signature ? "" : `key ${String(message.key)} is not the signature ${report.signature}`,
      isSortedUnique(report.labels) ? "" : `labels ${report.labels.join(",")} are not sorted and unique`,
      isSortedUnique(report.sources) ? "" : `sources ${report.sources.join(",")} are not sorted and unique`,
      report.count > 0n ? "" : `count ${report.count}`,
      withinWindow(report) ? "" : "last_seen is outside its window",
    ].filter((p) => p !== "");
    if (problems.length > 0) throw new Error(`a bad FlowReport on ${topic}: ${problems.join("; ")}`);
    return report;
  });
}

/** The decisions per flow the reports add up to, by `producer sink labels sources purpose` (readable in a failing assertion). */
export function countsByFlow(reports: readonly FlowReport[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of reports) {
    const flow = flowName(r);
    counts[flow] = (counts[flow] ?? 0) + Number(r.count);
  }
  return counts;
}

/** A flow as {@link countsByFlow} names it. */
export function flowName(flow: { producer: string; sink: string; labels: readonly string[]; sources: readonly string[]; purpose: string }): string {
  return `${flow.producer} ${flow.sink} [${flow.labels.join(",")}] [${flow.sources.join(",")}] ${flow.purpose}`;
}

/** Waits until the reports on `topic` add up to `expected` decisions in all, and returns them. */
export function awaitFlowReports(kafka: Kafka, topic: string, expected: number, timeoutMs = 30_000): Promise<FlowReport[]> {
  const total = (reports: readonly FlowReport[]): number => reports.reduce((sum, r) => sum + Number(r.count), 0);
  return waitUntil(`flow reports on ${topic} adding up to ${expected} decisions`, () => readFlowReports(kafka, topic), (reports) => total(reports) >= expected, { timeoutMs, intervalMs: 300 });
}

function isSortedUnique(items: readonly string[]): boolean {
  return items.every((item, i) => i === 0 || (items[i - 1] ?? "") < item);
}

function withinWindow(report: FlowReport): boolean {
  if (report.windowStart === undefined || report.windowEnd === undefined || report.lastSeen === undefined) return false;
  const start = timestampMs(report.windowStart);
  const end = timestampMs(report.windowEnd);
  const last = timestampMs(report.lastSeen);
  return start <= last && last <= end;
}
