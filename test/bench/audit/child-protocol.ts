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
  /** Flow reports: 0 off (audit on alone); undefined, the service's default (every 5 s) to `flowsTopic`. */
  readonly flowReportIntervalMs?: number | undefined;
  readonly flowsTopic?: string | undefined;
  /** false: answers wait for the spool's write, not its device flush (the durability diagnostic). */
  readonly auditFsync?: boolean | undefined;
}

/** Printed by the child once it serves. */
export interface AuditPdpReady {
  readonly benchPort: number;
  readonly policyVersion: string;
}
