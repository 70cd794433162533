/**
 * The JSON of the console's reads (docs/reference/http-api.md, openapi.json): a zone's daily
 * history, its flips, its recent audit records, and the decision points. Built key by key, as
 * wire-json.ts builds the rest.
 */
import type { AuditKind, AuditRecordView, BacklogDay, DecisionPointList, EnforcementPointName, FlipView, ZoneHistory } from "@flowzone/control";
import type { Mode } from "@flowzone/engine";

export interface ZoneHistoryJson {
  readonly zone: string;
  readonly days: readonly BacklogDayJson[];
}

export interface BacklogDayJson {
  readonly date: string;
  readonly open: number;
  readonly new: number;
  readonly resolved: number;
}

export interface FlipEntryJson {
  readonly at: string;
  readonly from: Mode;
  readonly to: Mode;
  /** Who flipped it: the token's subject, or the control plane's own name for an automatic flip. */
  readonly subject: string;
  readonly reason: string;
  readonly forced: boolean;
  readonly automatic: boolean;
}

export interface AuditRecordJson {
  readonly id: string;
  readonly at: string;
  readonly kind: AuditKind;
  readonly producer: string | null;
  readonly sink: string | null;
  readonly labels: readonly string[];
  readonly enforced: boolean | null;
  readonly enforcementPoint: EnforcementPointName | null;
  readonly reporter: string | null;
  readonly subject: string | null;
  readonly policyVersion: string;
  readonly summary: string;
}

export interface DecisionPointJson {
  readonly reporter: string;
  readonly enforcementPoint: EnforcementPointName;
  readonly policyVersion: string;
  readonly upToDate: boolean;
  readonly lastSeen: string;
  readonly zones: readonly string[];
}

export interface DecisionPointListJson {
  readonly decisionPoints: readonly DecisionPointJson[];
  readonly currentPolicyVersion: string;
}

export function zoneHistoryJson(history: ZoneHistory): ZoneHistoryJson {
  return { zone: history.zone, days: history.days.map((day: BacklogDay) => ({ date: day.date, open: day.open, new: day.new, resolved: day.resolved })) };
}

export function flipEntryJson(flip: FlipView): FlipEntryJson {
  return { at: flip.at.toISOString(), from: flip.from, to: flip.to, subject: flip.actor, reason: flip.reason, forced: flip.forced, automatic: flip.automatic };
}

export function auditRecordJson(record: AuditRecordView): AuditRecordJson {
  return {
    id: record.recordId,
    at: record.at.toISOString(),
    kind: record.kind,
    producer: record.producer,
    sink: record.sink,
    labels: [...record.labels],
    enforced: record.enforced,
    enforcementPoint: record.enforcementPoint,
    reporter: record.reporter,
    subject: record.subject,
    policyVersion: record.policyVersion,
    summary: record.summary,
  };
}

export function decisionPointListJson(list: DecisionPointList): DecisionPointListJson {
  return {
    decisionPoints: list.decisionPoints.map((point) => ({
      reporter: point.reporter,
      enforcementPoint: point.enforcementPoint,
      policyVersion: point.policyVersion,
      upToDate: point.upToDate,
      lastSeen: point.lastSeen.toISOString(),
      zones: [...point.zones],
    })),
    currentPolicyVersion: list.currentPolicyVersion,
  };
}
