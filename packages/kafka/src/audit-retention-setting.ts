import type { Setting } from "@flowzone/service-kit";

/**
 * The audit topic's `retention.ms` by default: -1, kept forever. The trail is the evidence of every
 * violation, flip and exception, asked for long after the fact, and the control plane's backlog is
 * counted from it: a new or restored database reads the topic again from its start, which only
 * gives the right backlog while every record is still there. Its size is one small record per
 * violation and per change; a deployment that must bound it sets a retention longer than it could
 * ever need to rebuild.
 */
export const DEFAULT_AUDIT_RETENTION_MS = -1;

/** The shortest finite retention: less would let Kafka delete records a stopped control plane has not counted yet. */
export const MIN_AUDIT_RETENTION_MS = 86_400_000;

/**
 * `--audit-retention-ms` / `FLOWZONE_AUDIT_RETENTION_MS`: the audit topic's `retention.ms` when
 * flowzone creates it (an existing topic is left as it is).
 */
export const AUDIT_RETENTION_SETTING: Setting<number> = {
  env: "FLOWZONE_AUDIT_RETENTION_MS",
  flag: "audit-retention-ms",
  description: `How long the audit topic keeps records, in ms, when flowzone creates it: -1 (the default) keeps the trail forever, else at least ${MIN_AUDIT_RETENTION_MS} (one day).`,
  defaultText: String(DEFAULT_AUDIT_RETENTION_MS),
  resolve(given) {
    if (given === undefined) return DEFAULT_AUDIT_RETENTION_MS;
    const value = /^-?\d+$/.test(given) ? Number(given) : NaN;
    if (value === -1 || (Number.isSafeInteger(value) && value >= MIN_AUDIT_RETENTION_MS)) return value;
    throw new Error(`must be -1 (keep forever) or a whole number of ms from ${MIN_AUDIT_RETENTION_MS} (one day)`);
  },
};
