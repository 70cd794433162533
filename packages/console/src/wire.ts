/**
 * The control plane's JSON as the console reads it (docs/reference/http-api.md,
 * services/control/openapi.json): the server's own wire types, erased from the bundle.
 */
import type { Caller, ExceptionJson, FlipJson, ViolationJson, ZoneDetailJson, ZoneJson } from "@flowzone/control-service";

export type Zone = ZoneJson;
export type ZoneDetail = ZoneDetailJson;
export type Mode = ZoneJson["mode"];
export type Exception = ExceptionJson;
export type Flip = FlipJson;
export type Violation = ViolationJson;
/** GET /v1/me: whose token this is and what it may do. */
export type Me = Caller;

/** GET /v1/zones/{zone}/history: open signatures per day, oldest first. */
export interface ZoneHistory {
  readonly days: readonly { date: string; open: number; new: number; resolved: number }[];
}

/** GET /v1/zones/{zone}/audit: the zone's recent audit records, newest first. */
export interface AuditRecords {
  readonly records: readonly {
    id: string;
    at: string;
    kind: string;
    producer: string;
    sink: string;
    labels: readonly string[];
    enforced: boolean;
    reporter: string;
    subject: string;
    summary: string;
  }[];
}

/** GET /v1/decision-points: who reports zone traffic, under which policy version. */
export interface DecisionPoints {
  readonly decisionPoints: readonly {
    reporter: string;
    enforcementPoint: string;
    policyVersion: string;
    lastSeen: string;
    zones: readonly string[];
  }[];
  readonly currentPolicyVersion: string | null;
}
