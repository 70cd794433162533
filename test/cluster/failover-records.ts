/**
 * The records of the scale-out and failover test, the bundle that decides them, and the check
 * of where each one ended up. Record i is `k<i>` / `r<i>` on partition i % partitions, of kind
 * i % 4: allowed (no labels), logging (banana: zone banana, logging until the test flips it),
 * enforced (health: zone health, enforcing) or malformed (a label the bundle does not declare).
 */
import { fromBinary } from "@bufbuild/protobuf";
import { AuditRecordSchema, EnforcementPoint, type AuditRecord, type ViolationEvent } from "@flowzone/proto";
import type { KafkaMessage } from "kafkajs";

import { bundleYaml } from "../enforcer/enforcer-harness";
import type { TopicMessage } from "../support/topic-tail";
import type { ProducedRecord } from "../support/topics";

export const KINDS = ["allowed", "logging", "enforced", "malformed"] as const;
export type Kind = (typeof KINDS)[number];

/** The zone the test flips from logging to enforcement mid-stream. */
export const FLIPPED_ZONE = "banana";

/** The enforcer tests' bundle with no topic carrying a label: zone banana (logging) and zone health (enforcement). */
export const BUNDLE_YAML = bundleYaml(undefined);

export function kindOf(i: number): Kind {
  return KINDS[i % KINDS.length] ?? "allowed";
}

const LABELS: Record<Kind, string | undefined> = { allowed: undefined, logging: "banana", enforced: "health", malformed: "kiwi" };

/** Record i, on the partition it is sent to (fixed, so one send goes to one partition leader). */
export function sourceRecord(i: number, partitions: number): ProducedRecord {
  const label = LABELS[kindOf(i)];
  return { key: `k${i}`, value: `r${i}`, partition: i % partitions, headers: label === undefined ? {} : { "flowzone-labels": label } };
}

/** What the enforcers left, read to the end offsets once their group had committed the whole input. */
export interface Routed {
  /** The source topic: where each record was written (its position names it in audit records). */
  readonly input: readonly TopicMessage[];
  readonly out: readonly TopicMessage[];
  readonly quarantined: readonly TopicMessage[];
  /** Every audit record on the audit topic (the decision services' too). */
  readonly audits: readonly TopicMessage[];
}

export function decodeAudits(messages: readonly KafkaMessage[]): AuditRecord[] {
  return messages.flatMap((m) => (m.value === null ? [] : [fromBinary(AuditRecordSchema, m.value)]));
}

/** The violation records of one enforcement point, with their events. */
export function violationsOf(records: readonly AuditRecord[], point: EnforcementPoint): { record: AuditRecord; event: ViolationEvent }[] {
  return records.flatMap((record) => (record.event.case === "violation" && record.event.value.enforcementPoint === point ? [{ record, event: record.event.value }] : []));
}

/**
 * Every way records 0..n-1 were not routed exactly once as decided, one line each (empty when
 * all were): each written once; each in exactly one of output and quarantine, once; one audit
 * record per violation with its input position and a unique id; allowed records out, enforced
 * and malformed ones (with flowzone-error) in quarantine, a banana record out while its audit
 * record says logging and in quarantine once it says enforced, and enforced from `flippedFrom`
 * on (written after every enforcer had the flip in force).
 */
export function routingProblems(n: number, flippedFrom: number, routed: Routed): string[] {
  const problems: string[] = [];
  const indexOf = (m: KafkaMessage): number => Number(m.key?.toString().slice(1) ?? Number.NaN);

  const byPosition = new Map<string, number>();
  const written = new Map<number, number>();
  for (const m of routed.input) {
    byPosition.set(`${m.partition}/${m.offset}`, indexOf(m));
    written.set(indexOf(m), (written.get(indexOf(m)) ?? 0) + 1);
  }
  const landed = new Map<number, { out: number; quarantined: number; error: boolean }>();
  const land = (m: KafkaMessage, where: "out" | "quarantined"): void => {
    const entry = landed.get(indexOf(m)) ?? { out: 0, quarantined: 0, error: false };
    entry[where] += 1;
    if (where === "quarantined" && m.headers?.["flowzone-error"] !== undefined) entry.error = true;
    landed.set(indexOf(m), entry);
  };
  for (const m of routed.out) land(m, "out");
  for (const m of routed.quarantined) land(m, "quarantined");

  const enforcerAudits = violationsOf(decodeAudits(routed.audits), EnforcementPoint.STREAM_ENFORCER);
  const ids = new Set<string>();
  const auditsOf = new Map<number, { zone: string; enforced: boolean }[]>();
  for (const { record, event } of enforcerAudits) {
    if (ids.has(record.id)) problems.push(`audit record ${record.id} is on the topic twice`);
    ids.add(record.id);
    const i = byPosition.get(`${event.position?.partition}/${event.position?.offset}`);
    if (i === undefined) {
      problems.push(`audit record ${record.id} names no input record (${event.position?.topic}/${event.position?.partition}/${event.position?.offset})`);
      continue;
    }
    auditsOf.set(i, [...(auditsOf.get(i) ?? []), { zone: record.zone, enforced: event.enforced }]);
  }

  for (let i = 0; i < n; i++) {
    const kind = kindOf(i);
    if (written.get(i) !== 1) problems.push(`r${i} was written to the source ${written.get(i) ?? 0} times`);
    const at = landed.get(i) ?? { out: 0, quarantined: 0, error: false };
    const audits = auditsOf.get(i) ?? [];
    const zones = audits.map((a) => a.zone).join(",");
    const expectedZone = kind === "logging" ? FLIPPED_ZONE : kind === "enforced" ? "health" : "";
    if (zones !== expectedZone) problems.push(`r${i} (${kind}) has audit records of [${zones}], expected [${expectedZone}]`);
    const enforced = kind === "malformed" || audits.some((a) => a.enforced);
    if (kind === "logging" && i >= flippedFrom && !enforced) problems.push(`r${i} (${kind}), written after the flip was in force everywhere, was decided in logging`);
    if (kind === "enforced" && !enforced) problems.push(`r${i} (${kind}) was not enforced`);
    const expected = enforced ? { out: 0, quarantined: 1 } : { out: 1, quarantined: 0 };
    if (at.out !== expected.out || at.quarantined !== expected.quarantined) {
      problems.push(`r${i} (${kind}${enforced ? ", enforced" : ""}) is ${at.out} times in the output and ${at.quarantined} times in quarantine`);
    }
    if (kind === "malformed" && at.quarantined > 0 && !at.error) problems.push(`r${i} (malformed) is in quarantine without flowzone-error`);
  }
  const stray = [...landed.keys()].filter((i) => !(i >= 0 && i < n));
  if (stray.length > 0) problems.push(`records that were never written landed: ${stray.slice(0, 10).join(", ")}`);
  return problems;
}
