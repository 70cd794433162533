export { AUDIT_TOPIC, AUDIT_TOPIC_PARTITIONS, CONTROL_TOPIC, FLOWS_TOPIC, FLOWS_TOPIC_PARTITIONS, REDRIVE_LEDGER_TOPIC, auditTopicSpec, flowsTopicSpec } from "./topics";
export { FLOW_HEADERS, decodeFlowHeaders, encodeFlowHeaders, type FlowHeadersResult, type RecordFlow } from "./flow-headers";
export { createKafka, type KafkaClientOptions } from "./create-kafka";
export { parseBrokers } from "./parse-brokers";
export { ensureTopics, type TopicSpec } from "./ensure-topics";
export { createTopicsAndAwaitLeaders } from "./create-topics";
export { topicReplication, type TopicReplication } from "./topic-replication";
export { BROKERS_SETTING } from "./brokers-setting";
export { AUDIT_RETENTION_SETTING, DEFAULT_AUDIT_RETENTION_MS, MIN_AUDIT_RETENTION_MS } from "./audit-retention-setting";
export { KAFKA_CONFIG_SETTING, configuredBrokers, readKafkaClientConfig } from "./kafka-config-setting";
export { kafkajsConnection } from "./kafkajs-connection";
export { kafkaClientConfig, type KafkaClientConfig, type KafkaTls } from "./kafka-client-config";
export { parseClientProperties, type ClientProperty } from "./client-properties";
export { awaitGroupCoordinator } from "./await-group-coordinator";
export { backoffDelayMs, type ExponentialBackoff } from "./exponential-backoff";
export { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, readMaxMessageBytes } from "./max-message-bytes";
export { PartitionedSender } from "./partitioned-send";
export { ProduceRequests } from "./produce-requests";
export {
  CONTROL_SIGNATURE_HEADERS,
  controlKeyId,
  signControlRecord,
  signedControlBytes,
  verifyControlRecord,
  type ControlRecordBytes,
  type ControlRejectReason,
  type ControlSigningKey,
  type ControlVerdict,
  type ControlVerifyKeys,
} from "./control-signature";
export { readControlSigningKey, readControlVerifyKeys } from "./control-keys";
export { CONTROL_SIGNING_KEY_SETTING, CONTROL_VERIFY_KEYS_SETTING } from "./control-key-settings";
