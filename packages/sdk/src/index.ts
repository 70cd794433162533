// Public surface of @flowzone/sdk: named exports only.
export { createGuardedProducer, type GuardedProducer } from "./guarded-producer";
export {
  SDK_DEFAULTS,
  resolveOptions,
  type EmbeddedDecider,
  type GuardedProducerOptions,
  type RemoteDecider,
  type ResolvedRemoteDecider,
  type ResolvedOptions,
} from "./options";
export type { RemoteTls } from "./remote-tls";
export { FlowCheckUnavailableError, FlowDeniedError, FlowError, FlowNotPermittedError, FlowRequestError, type FlowErrorCode } from "./errors";
export { DecisionCache, writeShapeKey } from "./decision-cache";
export { UNCHECKED_DECISION } from "./flow-write";
export { kafkajsConnection, readKafkaClientConfig, type KafkaClientConfig } from "@flowzone/kafka";
export type { Flow, FlowDecision, FlowViolation, GuardedProducerStats, GuardedRecord, SendResult } from "./types";
