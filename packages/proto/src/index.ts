export * from "./gen/flowzone/v1/types_pb";
export * from "./gen/flowzone/v1/decision_pb";
export * from "./gen/flowzone/v1/audit_pb";
export * from "./gen/flowzone/v1/zone_pb";
export * from "./gen/flowzone/v1/control_pb";
export * from "./gen/flowzone/v1/flows_pb";
export * from "./gen/google/rpc/status_pb";
export * from "./gen/google/rpc/error_details_pb";
export { WireWriter, delimitedSize, repeatedStringSize, stringFieldSize, varint64Size, varintFieldSize } from "./wire-writer";
