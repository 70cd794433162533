import type { Kafka, Producer } from "kafkajs";

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
 * topic once, in order, or the outbox hears that it is not and sends it again later.
 */
export async function createKafkaRecordSender(kafka: Kafka, topics: Readonly<Record<OutboxTarget, string>>): Promise<RecordSender> {
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    async send(target, records) {
      if (records.length === 0) return;
      await producer.send({ topic: topics[target], acks: -1, messages: records.map(({ key, value }) => ({ key, value })) });
    },
    close: () => producer.disconnect(),
  };
}
