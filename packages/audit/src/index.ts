export {
  encodeViolationAudit,
  type EncodedAuditRecord,
  type EnforcementPoint,
  type StreamPosition,
  type ViolationAudit,
} from "./audit-record";
export { AuditWriter, OFFER_REFUSALS, type AuditWriterStats, type OfferRefusal, type OfferResult } from "./audit-writer";
export { DEAD_LETTER_FILE, type DeadLetter } from "./dead-letters";
export {
  AUDIT_WRITER_DEFAULTS,
  resolveAuditWriterOptions,
  type AuditWriterOptions,
  type KafkaClient,
  type ResolvedAuditWriterOptions,
} from "./audit-writer-options";
export { encodeIdentityMismatch, type Credential, type IdentityMismatch } from "./identity-mismatch-record";
export { encodeZoneTraffic, type ZoneTraffic } from "./zone-traffic-record";
export { isUnsendable } from "./unsendable";
export { encodeRedriveAudit, type Redrive } from "./redrive-record";
