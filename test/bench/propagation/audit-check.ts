/** After the run: every flip is on the audit topic with the epoch the replicas decided under. */
import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema, Mode } from "@flowzone/proto";
import type { Kafka } from "kafkajs";

import { readTopicToEnd } from "../common/read-to-end";

import { ZONE } from "./bundle";
import type { FlipResult } from "./measure";

interface FlipRecord {
  readonly to: Mode;
  readonly epoch: number;
  readonly forced: boolean;
  readonly policyVersion: string;
}

/** The zone_flip records of the benchmark's zone, in topic order (key = zone: one partition). */
async function flipRecords(kafka: Kafka, topic: string, timeoutMs: number): Promise<FlipRecord[]> {
  const records: FlipRecord[] = [];
  await readTopicToEnd(kafka, topic, timeoutMs, (message) => {
    if (message.value === null) return;
    const record = fromBinary(AuditRecordSchema, message.value);
    if (record.zone !== ZONE || record.event.case !== "zoneFlip") return;
    const flip = record.event.value;
    records.push({ to: flip.to, epoch: Number(flip.epoch), forced: flip.forced, policyVersion: record.policyVersion });
  });
  return records;
}

/**
 * Checks that the audit topic holds exactly the benchmark's flips, in order, each with the
 * epoch every replica reported in `policy_version` after it, forced when it went to
 * enforcement. Returns a one-line summary; throws on the first difference.
 */
export async function checkAuditedFlips(kafka: Kafka, topic: string, flips: readonly FlipResult[]): Promise<string> {
  const records = await flipRecords(kafka, topic, 30_000);
  if (records.length !== flips.length) throw new Error(`the audit topic holds ${records.length} flips of zone ${ZONE}, the benchmark made ${flips.length}`);
  flips.forEach((flip, i) => {
    const record = records[i] as FlipRecord;
    const to = flip.to === "enforcement" ? Mode.ENFORCEMENT : Mode.LOGGING;
    if (record.epoch !== flip.epoch || record.to !== to || record.forced !== (flip.to === "enforcement")) {
      throw new Error(`flip ${i} to ${flip.to}: the replicas decided under epoch ${flip.epoch}, the audit topic says epoch ${record.epoch}, to ${Mode[record.to]}, forced ${record.forced}`);
    }
    if (!flip.replicas.every((r) => r.policyVersion === record.policyVersion)) {
      throw new Error(`flip ${i}: audited under ${record.policyVersion}, decided under ${flip.replicas.map((r) => r.policyVersion).join(", ")}`);
    }
  });
  return `${records.length} zone_flip records of zone ${ZONE} on ${topic}, in order; each one's epoch is the one all replicas put in policy_version after that flip, and every flip to enforcement is recorded as forced`;
}
