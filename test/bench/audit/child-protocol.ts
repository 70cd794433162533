/** What bench:audit and its decision-service children say to each other. */

/** Configuration of a decision-service child (argv[2], JSON). Without `brokers`: audit off. */
export interface AuditPdpChildConfig {
  readonly policyDir: string;
  readonly brokers?: string | undefined;
  readonly auditTopic?: string | undefined;
  readonly controlTopic?: string | undefined;
  readonly auditSpoolDir?: string | undefined;
  /** zone_traffic report period; the benchmark defers it so the audit topic holds violations only. */
  readonly trafficIntervalMs?: number | undefined;
}

/** Printed by the child once it serves. */
export interface AuditPdpReady {
  readonly benchPort: number;
  readonly policyVersion: string;
}
