export { AUDIT_TOPIC, AUDIT_TOPIC_PARTITIONS, CONTROL_TOPIC, auditTopicSpec } from "./topics";
export { FLOW_HEADERS, decodeFlowHeaders, encodeFlowHeaders, type FlowHeadersResult, type RecordFlow } from "./flow-headers";
export { createKafka, parseBrokers, type KafkaClientOptions } from "./create-kafka";
export { ensureTopics, type TopicSpec } from "./ensure-topics";
export { BROKERS_SETTING } from "./brokers-setting";
export { awaitGroupCoordinator } from "./await-group-coordinator";
