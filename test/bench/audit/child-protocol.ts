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

/** Configuration of a neighbour child (argv[2], JSON): what it puts on which topic, and how. */
export interface NeighbourConfig {
  readonly mode: NeighbourMode;
  readonly brokers: string;
  readonly topic: string;
  /** The audit writer's spool (mode `writer`). */
  readonly spoolDir: string;
  /** Audit records of audit on's warm-up, as JSON [{ key, value (base64) }], sent again cycling. */
  readonly sampleFile: string;
}

/** `kafkajs`: a bare producer with the audit writer's settings; `writer`: the product's AuditWriter. */
export type NeighbourMode = "kafkajs" | "writer";

/** Printed by a neighbour after each paced stretch. */
export interface NeighbourStretch {
  readonly neighbourStretch: true;
  readonly offered: number;
  /** Records Kafka acknowledged during the stretch. */
  readonly sent: number;
  readonly cpuSeconds: number;
}
