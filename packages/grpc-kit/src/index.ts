// Public surface of @flowzone/grpc-kit: named exports only. The codecs and error mapping live in
// @flowzone/grpc-codec (clients such as the SDK take only that); they are re-exported here so a
// service imports its gRPC plumbing from one package.
export { clientConstructor, codeOfStatus, ERROR_DOMAIN, fromServiceError, GRPC_STATUS, serviceDefinition, STATUS_DETAILS_KEY, toServiceError } from "@flowzone/grpc-codec";
export type { FailedCall, MethodCodec, MethodCodecs } from "@flowzone/grpc-codec";
export { createHealth } from "./health";
export type { HealthReporter, Readiness } from "./health";
export { listen } from "./listen";
export { serverCredentials } from "./server-credentials";
export { addReflection, fileDescriptorSet } from "./reflection";
export type { HandlerFor, ServiceHandlers } from "./service-handlers";
export { shutdownGracefully } from "./shutdown";
export type { ShutdownOptions } from "./shutdown";
