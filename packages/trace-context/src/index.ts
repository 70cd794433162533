// Public surface of @flowzone/trace-context: named exports only.
export { TRACEPARENT_HEADER, traceIdOf } from "./trace-context";
