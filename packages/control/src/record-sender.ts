import { PartitionedSender, signControlRecord, type ControlSigningKey } from "@flowzone/kafka";
import type { Kafka, Message, Producer } from "kafkajs";

import type { OutboxTarget } from "./outbox-store";

/** Records bound for one topic, in order. */
export interface OutgoingRecord {
  readonly key: string;
  readonly value: Buffer | null;
}

/**
 * Where the outbox publishes: the compacted control topic every decision service and enforcer
 * follows, and the audit topic. An interface so the control plane never holds a Kafka client.
 */
export interface RecordSender {
  /** Resolves once every record is acknowledged by all in-sync replicas; rejects otherwise. */
  send(target: OutboxTarget, records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * One idempotent producer (acks -1, one request in flight) for both topics: a batch is on its
 * topic once, in order, or the outbox hears that it is not and sends it again later. With a
 * signing key, every control record (tombstones too) carries its signature in its headers; as
 * the outbox sends everything through here, so does every republish.
 */
export async function createKafkaRecordSender(
  kafka: Kafka,
  topics: Readonly<Record<OutboxTarget, string>>,
  signingKey?: ControlSigningKey,
): Promise<RecordSender> {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  // Partition by partition: a send spanning several leaders can lose records when a broker stops.
  const sender = new PartitionedSender(kafka);
  const message = (topic: string, target: OutboxTarget, { key, value }: OutgoingRecord): Message => {
    if (target !== "control" || signingKey === undefined) return { key, value };
    return { key, value, headers: signControlRecord(signingKey, { topic, key: Buffer.from(key, "utf8"), value }) };
  };
  return {
    async send(target, records) {
      if (records.length === 0) return;
      const topic = topics[target];
      const messages = records.map((record) => message(topic, target, record));
      await sender.send([{ topic, messages }], (topicMessages) => producer.sendBatch({ topicMessages, acks: -1 }));
    },
    close: async () => {
      await sender.close().catch(() => undefined);
      await producer.disconnect();
    },
  };
}
