/**
 * What became of the records the failover test found routed wrongly, for its failure output: each
 * one's every copy on the output, quarantine and audit topics, committed, aborted or still open,
 * read again a few seconds later, beside whether the first read had it (the source is counted
 * again too, whose first read names the records of the audit records). Tells a record never
 * written from one in an aborted transaction, and both from one the first read ended short of.
 */
import { setTimeout as delay } from "node:timers/promises";

import { AUDIT_TOPIC } from "@flowzone/kafka";
import type { Kafka } from "kafkajs";

import { readFates, type FatedRecord } from "../support/topic-tail";
import { decodeAudits, routingProblems, type Routed } from "./failover-records";

/** How many of the named records are traced, at most: enough to see a pattern, short enough to read. */
const TRACED = 20;

export async function diagnoseRouting(kafka: Kafka, topics: { readonly from: string; readonly to: string; readonly quarantine: string }, n: number, flippedFrom: number, first: Routed, problems: readonly string[]): Promise<string> {
  const named = [...new Set(problems.flatMap((p) => [...p.matchAll(/\br(\d+)\b/g)].map((m) => Number(m[1]))))].slice(0, TRACED);
  await delay(3000);
  const [input, out, quarantined, audits] = await Promise.all([readFates(kafka, topics.from), readFates(kafka, topics.to), readFates(kafka, topics.quarantine), readFates(kafka, AUDIT_TOPIC)]);
  const indexAt = new Map(first.input.map((m) => [`${m.partition}/${m.offset}`, Number(m.key?.toString().slice(1))]));
  const auditIndex = (r: FatedRecord): number | undefined => {
    const [record] = decodeAudits([r.message]);
    const event = record?.event.case === "violation" ? record.event.value : undefined;
    return event === undefined ? undefined : indexAt.get(`${event.position?.partition}/${event.position?.offset}`);
  };
  const keyIndex = (r: FatedRecord): number => Number(r.message.key?.toString().slice(1));
  const firstRead = new Set([...first.out.map((m) => `to ${m.partition}@${m.offset}`), ...first.quarantined.map((m) => `quarantine ${m.partition}@${m.offset}`), ...first.audits.map((m) => `audit ${m.partition}@${m.offset}`)]);
  const copies = (where: string, records: readonly FatedRecord[], indexOf: (r: FatedRecord) => number | undefined, i: number): string[] =>
    records
      .filter((r) => indexOf(r) === i)
      .map((r) => {
        const position = `${where} ${r.message.partition}@${r.message.offset}`;
        return `${position} (producer ${r.producerId}, ${r.fate}${firstRead.has(position) ? "" : ", not in the first read"})`;
      });
  const committed = (records: readonly FatedRecord[]): FatedRecord["message"][] => records.filter((r) => r.fate === "committed" || r.fate === "plain").map((r) => r.message);
  const again = routingProblems(n, flippedFrom, { input: first.input, out: committed(out.records), quarantined: committed(quarantined.records), audits: committed(audits.records) });
  const lines = [
    `read again 3 s later: ${again.length} problems (${problems.length} in the first read); the source holds ${input.records.length} records (${first.input.length} in the first read)`,
    ...(
      [
        ["to", out],
        ["quarantine", quarantined],
        ["audit", audits],
      ] as const
    ).map(([where, { ends, why }]) => `${where} ends ${[...ends].map(([p, { high }]) => `${p}:${high}`).join(", ")}${why === undefined ? "" : ` (read short: ${why})`}`),
    ...named.map((i) => {
      const found = [...copies("to", out.records, keyIndex, i), ...copies("quarantine", quarantined.records, keyIndex, i), ...copies("audit", audits.records, auditIndex, i)];
      return `r${i}: ${found.length === 0 ? "on none of the three topics" : found.join("; ")}`;
    }),
  ];
  return `routing diagnosis:\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}
