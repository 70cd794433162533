export {
  encodeViolationAudit,
  type EncodedAuditRecord,
  type EnforcementPoint,
  type StreamPosition,
  type ViolationAudit,
} from "./audit-record";
