// Public surface of @flowzone/grpc-codec: named exports only.
export { clientConstructor, serviceDefinition } from "./service-definition";
export type { MethodCodec, MethodCodecs } from "./service-definition";
export { codeOfStatus, GRPC_STATUS } from "./status-codes";
export { ERROR_DOMAIN, fromServiceError, STATUS_DETAILS_KEY, toServiceError } from "./status-details";
export type { FailedCall } from "./status-details";
