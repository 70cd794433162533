/**
 * An audit record as the console lists it: who, what, where, and one sentence a person reads.
 * The backlog keeps the last few of each zone (audit-window-store.ts); the protobuf record stops here.
 */
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { EnforcementPoint as ProtoEnforcementPoint, Mode as ProtoMode, type AuditRecord } from "@flowzone/proto";

import { normaliseLabels } from "./signature";

/** Every kind of audit record (docs/reference/kafka.md), by the name of its event field. */
export type AuditKind =
  | "violation"
  | "zone_flip"
  | "exception_granted"
  | "exception_revoked"
  | "exception_expired"
  | "violation_fixed"
  | "policy_pushed"
  | "zone_traffic"
  | "identity_mismatch"
  | "redriven";

export type EnforcementPointName = "decision_service" | "stream_enforcer" | "sdk";

/** One audit record of a zone, as the backlog read it. */
export interface AuditEntry {
  readonly recordId: string;
  readonly zone: string;
  readonly atMs: number;
  readonly kind: AuditKind;
  /** The writer of a violation or of a flow an exception, fix or re-drive is about; null for other kinds. */
  readonly producer: string | null;
  readonly sink: string | null;
  readonly labels: readonly string[];
  /** Whether a violation was enforced (denied); null for other kinds. */
  readonly enforced: boolean | null;
  /** Where a violation was decided or traffic counted; null for the control plane's records. */
  readonly enforcementPoint: EnforcementPointName | null;
  /** The process that reported it: `pdp-<prefix>` or `sdk-<prefix>`; null when the record does not say. */
  readonly reporter: string | null;
  /** Who made a change (the token's subject), or the caller a decision service authenticated; null when none. */
  readonly subject: string | null;
  readonly policyVersion: string;
  readonly summary: string;
}

const POINTS: Partial<Record<ProtoEnforcementPoint, EnforcementPointName>> = {
  [ProtoEnforcementPoint.DECISION_SERVICE]: "decision_service",
  [ProtoEnforcementPoint.STREAM_ENFORCER]: "stream_enforcer",
  [ProtoEnforcementPoint.SDK]: "sdk",
};

const MODES: Partial<Record<ProtoMode, string>> = { [ProtoMode.OFF]: "off", [ProtoMode.LOGGING]: "logging", [ProtoMode.ENFORCEMENT]: "enforcement" };

/** The enforcement point's name; null when the record names none. */
export function enforcementPointName(point: ProtoEnforcementPoint): EnforcementPointName | null {
  return POINTS[point] ?? null;
}

/** The entry of a record that concerns a zone; null for bundle-wide records (policy pushed, identity mismatch) and records of no kind. */
export function auditEntryOf(record: AuditRecord, atMs: number): AuditEntry | null {
  const event = record.event;
  if (record.zone === "" || event.case === undefined) return null;
  const base = { recordId: record.id, zone: record.zone, atMs, policyVersion: record.policyVersion };
  const none = { producer: null, sink: null, labels: [], enforced: null, enforcementPoint: null, reporter: null, subject: null };
  const zone = record.zone;
  switch (event.case) {
    case "violation": {
      const v = event.value;
      const point = enforcementPointName(v.enforcementPoint);
      const labels = normaliseLabels(v.labels);
      const how = `${MODES[v.mode] ?? "unknown mode"}, ${v.enforced ? "denied" : "allowed"}`;
      return {
        ...base,
        kind: "violation",
        producer: v.producer,
        sink: v.sink,
        labels,
        enforced: v.enforced,
        enforcementPoint: point,
        reporter: violationReporter(point, v.decisionId),
        subject: v.authenticatedIdentity === "" ? null : v.authenticatedIdentity,
        summary: `${v.producer} wrote ${labels.join(", ") || "data"} to ${v.sink}, breaking ${zone}/${v.rule} (${how})`,
      };
    }
    case "zoneFlip": {
      const f = event.value;
      const how = [f.forced ? "forced" : "", f.automatic ? "automatically" : ""].filter((word) => word !== "").join(", ");
      const summary = `${f.actor} flipped ${zone} from ${MODES[f.from] ?? "unknown"} to ${MODES[f.to] ?? "unknown"}${how === "" ? "" : ` (${how})`}: ${f.reason}`;
      return { ...base, ...none, kind: "zone_flip", subject: f.actor, summary };
    }
    case "exceptionGranted":
    case "exceptionRevoked":
    case "exceptionExpired": {
      const e = event.value;
      const expires = e.expiresAt === undefined ? "no expiry" : timestampDate(e.expiresAt).toISOString();
      const kind = event.case === "exceptionGranted" ? "exception_granted" : event.case === "exceptionRevoked" ? "exception_revoked" : "exception_expired";
      const flow = `${e.producer} to ${e.sink}`;
      const summary =
        kind === "exception_granted"
          ? `${e.actor} granted an exception for ${flow} until ${expires}: ${e.justification}`
          : kind === "exception_revoked"
            ? `${e.actor} revoked the exception for ${flow}`
            : `the exception for ${flow} expired at ${expires}`;
      return { ...base, ...none, kind, producer: e.producer, sink: e.sink, subject: e.actor, summary };
    }
    case "violationFixed": {
      const f = event.value;
      const note = f.note === "" ? "" : `: ${f.note}`;
      const summary = `${f.actor} marked ${f.producer} to ${f.sink} (${zone}/${f.rule}) fixed${note}`;
      return { ...base, ...none, kind: "violation_fixed", producer: f.producer, sink: f.sink, labels: normaliseLabels(f.labels), subject: f.actor, summary };
    }
    case "zoneTraffic": {
      const t = event.value;
      const point = enforcementPointName(t.enforcementPoint);
      const summary = `${t.reporter || "a decision point"} evaluated ${t.decisions} decisions for ${zone}`;
      return { ...base, ...none, kind: "zone_traffic", enforcementPoint: point, reporter: t.reporter === "" ? null : t.reporter, summary };
    }
    case "redriven": {
      const r = event.value;
      const summary = `${r.actor} re-drove a quarantined record of route ${r.route} from ${r.producer} to ${r.target}`;
      return { ...base, ...none, kind: "redriven", producer: r.producer, sink: r.sink, labels: normaliseLabels(r.labels), subject: r.actor, summary };
    }
    case "policyPushed":
    case "identityMismatch":
      return null;
  }
}

/**
 * The reporter of a violation, from its decision id: a decision service's and an embedded SDK's
 * ids are `<process prefix>-<counter>`, and the process reports traffic as `pdp-<prefix>`
 * (`sdk-<prefix>`). The enforcer's ids name a route and an offset, not a process.
 */
function violationReporter(point: EnforcementPointName | null, decisionId: string): string | null {
  const dash = decisionId.lastIndexOf("-");
  if (dash <= 0) return null;
  if (point === "decision_service") return `pdp-${decisionId.slice(0, dash)}`;
  if (point === "sdk") return `sdk-${decisionId.slice(0, dash)}`;
  return null;
}
