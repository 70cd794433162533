export * from "./gen/flowzone/v1/types_pb";
export * from "./gen/flowzone/v1/decision_pb";
export * from "./gen/flowzone/v1/audit_pb";
export * from "./gen/flowzone/v1/zone_pb";
export * from "./gen/flowzone/v1/control_pb";
