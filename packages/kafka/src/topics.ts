/** One protobuf `flowzone.v1.AuditRecord` per event, keyed by zone (CONTRACT.md section 5). */
export const AUDIT_TOPIC = "flowzone.audit.v1";

/** Compacted: the current bundle, zone modes and exceptions, keyed per item. */
export const CONTROL_TOPIC = "flowzone.control.v1";
