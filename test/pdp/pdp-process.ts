/**
 * `flowzone pdp` as a process of its own (the real CLI), for the fault tests that stop or kill it
 * or its broker and read afterwards what its audit trail put on the audit topic.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { AUDIT_TOPIC } from "@flowzone/kafka";
import { AuditRecordSchema } from "@flowzone/proto";
import type { Kafka } from "kafkajs";

import { TestProcess } from "../support/processes";
import { readToEnd } from "../support/topic-tail";

export interface SpooledPdpOptions {
  /** The bundle directory (`FLOWZONE_POLICY`). */
  readonly policyDir: string;
  /** `host:port` of the broker (`FLOWZONE_KAFKA_BROKERS`). */
  readonly brokers: string;
  /** The audit trail's disk spool (`FLOWZONE_AUDIT_SPOOL`): a restart on the same one sends what the last run left. */
  readonly spoolDir: string;
}

/** Starts `flowzone pdp` on free gRPC and metrics ports, logging JSON, with its audit trail spooled in `spoolDir`. */
export function spooledPdp(name: string, options: SpooledPdpOptions): TestProcess {
  return TestProcess.flowzone(name, ["pdp", "--port", "0", "--metrics-port", "0"], {
    env: { FLOWZONE_POLICY: options.policyDir, FLOWZONE_KAFKA_BROKERS: options.brokers, FLOWZONE_AUDIT_SPOOL: options.spoolDir, FLOWZONE_LOG_FORMAT: "json" },
  });
}

/** GETs `path` (`/readyz`, `/healthz`) of a metrics port on 127.0.0.1: the status and the JSON health report. */
export async function probe(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A violation record on the audit topic: its record id, the decision it belongs to and the rule. */
export interface AuditedViolation {
  readonly id: string;
  readonly decisionId: string;
  readonly rule: string;
}

/** Every violation record on {@link AUDIT_TOPIC} now, in topic order, a record written twice twice. */
export async function auditViolations(kafka: Kafka): Promise<AuditedViolation[]> {
  return (await readToEnd(kafka, AUDIT_TOPIC)).flatMap((m) => {
    const record = m.value === null ? undefined : fromBinary(AuditRecordSchema, m.value);
    return record?.event.case === "violation" ? [{ id: record.id, decisionId: record.event.value.decisionId, rule: record.event.value.rule }] : [];
  });
}
