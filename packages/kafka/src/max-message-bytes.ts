import { ConfigResourceTypes, type Admin } from "kafkajs";

/** Kafka's default `max.message.bytes` of a topic (the broker's `message.max.bytes`), assumed for a topic whose config cannot be read. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Reads `max.message.bytes` of `topics` with one DescribeConfigs through a connected `admin`: the
 * effective value, the topic's own, else the broker's `message.max.bytes`. Kafka refuses a record
 * batch larger than it, so writers size what they send by it. A topic whose config cannot be read
 * (an error code for it, no positive whole number) is left out of the map, and the caller decides
 * what to assume (often {@link KAFKA_DEFAULT_MAX_MESSAGE_BYTES}); a failing DescribeConfigs itself
 * (no DescribeConfigs permission, Kafka away) rejects.
 */
export async function readMaxMessageBytes(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ["max.message.bytes"] })),
  });
  const limits = new Map<string, number>();
  for (const resource of described.resources) {
    const value = Number(resource.configEntries.find((entry) => entry.configName === "max.message.bytes")?.configValue);
    if (resource.errorCode === 0 && Number.isSafeInteger(value) && value > 0) limits.set(resource.resourceName, value);
  }
  return limits;
}
