export { ControlError, type ControlErrorCode, type ControlErrorDetails } from "./control-error";
export type {
  Actor,
  ControlPlane,
  ExceptionRequest,
  ExceptionView,
  FlipRequest,
  FlipView,
  FlowCount,
  Readiness,
  Resolution,
  SignatureStatus,
  ViolationQuery,
  ViolationView,
  ZoneDetail,
  ZoneView,
} from "./control-plane";
