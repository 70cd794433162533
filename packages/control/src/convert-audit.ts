/**
 * The control plane's one edge to `flowzone.v1.AuditRecord`: decoding what the backlog consumes
 * and encoding what the control plane itself audits. Protobuf types stop here; the rest of the
 * package works on the plain facts and events below.
 */
import { randomUUID } from "node:crypto";

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Mode } from "@flowzone/engine";
import {
  AuditRecordSchema,
  ExceptionEventSchema,
  Mode as ProtoMode,
  PolicyPushedEventSchema,
  ViolationFixedEventSchema,
  ZoneFlipEventSchema,
  type AuditRecord,
} from "@flowzone/proto";

import { auditEntryOf, enforcementPointName, type AuditEntry, type EnforcementPointName } from "./convert-audit-entry";
import { normaliseLabels } from "./signature";

/** What the backlog learns from one audit record. */
export type AuditFact =
  | {
      readonly kind: "violation";
      readonly zone: string;
      readonly rule: string;
      readonly producer: string;
      readonly sink: string;
      readonly labels: readonly string[];
      readonly atMs: number;
      /** The control epoch the violation was decided under (from `digest@epoch`); null when unknown. */
      readonly epoch: number | null;
    }
  | {
      readonly kind: "traffic";
      readonly zone: string;
      readonly decisions: number;
      readonly atMs: number;
      /** Who counted them, so the console lists the decision points and the policy version each runs. */
      readonly reporter: string;
      readonly enforcementPoint: EnforcementPointName | null;
      readonly policyVersion: string;
    }
  /** Any other kind (the control plane's own events among them): not the backlog's business. */
  | { readonly kind: "ignored"; readonly event: string };

/** One decoded audit record: its id (what makes counting it idempotent), what it says, and how the console lists it. */
export interface DecodedAudit {
  readonly id: string;
  readonly fact: AuditFact;
  /** Null for a record of no zone. */
  readonly entry: AuditEntry | null;
}

/**
 * Decodes one record of the audit topic. `fallbackTimeMs` (the Kafka timestamp) dates a record
 * that carries no time. Throws when the bytes are not an AuditRecord; the caller logs and skips.
 */
export function decodeAuditRecord(value: Uint8Array, fallbackTimeMs: number): DecodedAudit {
  const record = fromBinary(AuditRecordSchema, value);
  const atMs = record.time === undefined ? fallbackTimeMs : timestampDate(record.time).getTime();
  return { id: record.id, fact: factOf(record, atMs), entry: auditEntryOf(record, atMs) };
}

function factOf(record: AuditRecord, atMs: number): AuditFact {
  const event = record.event;
  if (event.case === "violation") {
    const v = event.value;
    return {
      kind: "violation",
      zone: record.zone,
      rule: v.rule,
      producer: v.producer,
      sink: v.sink,
      labels: normaliseLabels(v.labels),
      atMs,
      epoch: epochOf(record.policyVersion),
    };
  }
  if (event.case === "zoneTraffic") {
    const t = event.value;
    const endMs = t.windowEnd === undefined ? atMs : timestampDate(t.windowEnd).getTime();
    return {
      kind: "traffic",
      zone: record.zone,
      decisions: Number(t.decisions),
      atMs: endMs,
      reporter: t.reporter,
      enforcementPoint: enforcementPointName(t.enforcementPoint),
      policyVersion: record.policyVersion,
    };
  }
  return { kind: "ignored", event: event.case ?? "none" };
}

/** The control epoch of a policy version `digest@epoch`; null when it names none. */
export function epochOf(policyVersion: string): number | null {
  const match = /@(\d+)$/.exec(policyVersion);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** An exception as its audit events describe it. */
export interface ExceptionAuditFields {
  readonly zone: string;
  readonly exceptionId: string;
  readonly producer: string;
  readonly sink: string;
  readonly justification: string;
  readonly expiresAtMs: number;
  readonly actor: string;
}

/** A change the control plane audits (docs/reference/kafka.md), with who made it. */
export type ControlAuditEvent =
  | {
      readonly kind: "zone_flip";
      readonly zone: string;
      readonly from: Mode;
      readonly to: Mode;
      readonly actor: string;
      readonly reason: string;
      readonly forced: boolean;
      readonly automatic: boolean;
      readonly epoch: number;
    }
  | ({ readonly kind: "exception_granted" | "exception_revoked" | "exception_expired" } & ExceptionAuditFields)
  | {
      readonly kind: "violation_fixed";
      readonly zone: string;
      readonly violationId: string;
      readonly rule: string;
      readonly producer: string;
      readonly sink: string;
      readonly labels: readonly string[];
      readonly note: string;
      readonly actor: string;
    }
  | { readonly kind: "policy_pushed"; readonly version: string; readonly actor: string; readonly fileCount: number };

/** An audit record ready for Kafka: key = zone ("" for bundle-wide events). */
export interface EncodedAudit {
  readonly key: string;
  readonly value: Buffer;
}

const PROTO_MODES: Record<Mode, ProtoMode> = { off: ProtoMode.OFF, logging: ProtoMode.LOGGING, enforcement: ProtoMode.ENFORCEMENT };

/** Encodes a control-plane change as an AuditRecord with a fresh id. */
export function encodeControlAudit(event: ControlAuditEvent, timeMs: number, policyVersion: string): EncodedAudit {
  const zone = event.kind === "policy_pushed" ? "" : event.zone;
  const record = create(AuditRecordSchema, {
    id: randomUUID(),
    time: timestampFromMs(timeMs),
    zone,
    policyVersion,
    event: auditEvent(event),
  });
  return { key: zone, value: Buffer.from(toBinary(AuditRecordSchema, record)) };
}

function auditEvent(event: ControlAuditEvent): AuditRecord["event"] {
  switch (event.kind) {
    case "zone_flip":
      return {
        case: "zoneFlip",
        value: create(ZoneFlipEventSchema, {
          from: PROTO_MODES[event.from],
          to: PROTO_MODES[event.to],
          actor: event.actor,
          reason: event.reason,
          forced: event.forced,
          automatic: event.automatic,
          epoch: BigInt(event.epoch),
        }),
      };
    case "exception_granted":
    case "exception_revoked":
    case "exception_expired": {
      const value = create(ExceptionEventSchema, {
        exceptionId: event.exceptionId,
        producer: event.producer,
        sink: event.sink,
        justification: event.justification,
        expiresAt: timestampFromMs(event.expiresAtMs),
        actor: event.actor,
      });
      if (event.kind === "exception_granted") return { case: "exceptionGranted", value };
      if (event.kind === "exception_revoked") return { case: "exceptionRevoked", value };
      return { case: "exceptionExpired", value };
    }
    case "violation_fixed":
      return {
        case: "violationFixed",
        value: create(ViolationFixedEventSchema, {
          violationId: event.violationId,
          rule: event.rule,
          producer: event.producer,
          sink: event.sink,
          labels: [...event.labels],
          note: event.note,
          actor: event.actor,
        }),
      };
    case "policy_pushed":
      return {
        case: "policyPushed",
        value: create(PolicyPushedEventSchema, {
          version: event.version,
          actor: event.actor,
          fileCount: event.fileCount,
        }),
      };
  }
}
