/**
 * The control plane's JSON as the console reads it (docs/reference/http-api.md,
 * services/control/openapi.json): only the fields the console shows.
 */
export type Mode = "off" | "logging" | "enforcement";

export interface Zone {
  readonly name: string;
  readonly mode: Mode;
  readonly effectiveMode: Mode;
  readonly failMode: "open" | "closed";
  readonly openViolations: number;
  readonly violationsNotStored: number;
  readonly lastViolationAt: string | null;
  readonly drained: boolean;
  readonly readyToEnforce: boolean;
  readonly owners: readonly string[];
  readonly drain: {
    readonly state: "drained" | "draining" | "not_draining";
    readonly resolvedPerDay: number;
    readonly openedPerDay: number;
    readonly projectedDrainAt: string | null;
    readonly windowDays: number;
  };
}

export interface Exception {
  readonly id: string;
  readonly producer: string;
  readonly sink: string;
  readonly justification: string;
  readonly approver: string;
  readonly expiresAt: string;
  readonly createdAt: string;
}

export interface Flip {
  readonly from: Mode;
  readonly to: Mode;
  readonly actor: string;
  readonly reason: string;
  readonly forced: boolean;
  readonly automatic: boolean;
  readonly at: string;
}

export interface ZoneDetail extends Zone {
  readonly readiness: {
    readonly ready: boolean;
    readonly blockers: readonly string[];
    readonly decisionsInQuietPeriod: number;
    readonly quietPeriodEndsAt: string | null;
  };
  readonly topOpenFlows: readonly { producer: string; sink: string; labels: readonly string[]; count: number }[];
  readonly exceptions: readonly Exception[];
  /** The zone's flips, as GET /v1/zones/{zone} lists them. */
  readonly history: readonly Flip[];
}

export interface Violation {
  readonly id: string;
  readonly rule: string;
  readonly producer: string;
  readonly sink: string;
  readonly labels: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly reopened: number;
}

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

/** GET /v1/me: whose token this is and what it may do. */
export interface Me {
  readonly subject: string;
  readonly role: "viewer" | "privacy-admin";
}
