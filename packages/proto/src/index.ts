export * from "./gen/flowzone/v1/types_pb";
export * from "./gen/flowzone/v1/decision_pb";
export * from "./gen/flowzone/v1/audit_pb";
export * from "./gen/flowzone/v1/zone_pb";
export * from "./gen/flowzone/v1/control_pb";
export * from "./gen/flowzone/v1/flows_pb";
export * from "./gen/google/rpc/status_pb";
export * from "./gen/google/rpc/error_details_pb";
export { Slab, WireWriter, delimitedSize, repeatedStringSize, stringFieldSize, utf8Length, varint64Size, varintFieldSize } from "./wire-writer";
