export { FLOWZONE_ERROR_CODES, isFlowzoneErrorCode } from "./error-code";
export type { FlowzoneErrorCode } from "./error-code";
export { FlowzoneError } from "./flowzone-error";
export type { FieldViolation, FlowzoneErrorDetails } from "./flowzone-error";
