import { CONTROL_TOPIC } from "@flowzone/kafka";
import type { Kafka, Producer } from "kafkajs";

import { encodeControlChange, type ControlChange } from "./convert-control";

/**
 * Where control changes go: the compacted control topic every decision service and enforcer
 * follows. An interface so the service never holds a Kafka client itself.
 */
export interface ControlPublisher {
  /** Resolves once every change is acknowledged by all in-sync replicas; rejects otherwise. */
  publish(changes: readonly ControlChange[]): Promise<void>;
}

/** A publisher with a connection to open and close. */
export interface KafkaPublisher<P> {
  readonly publisher: P;
  close(): Promise<void>;
}

/**
 * Opens an idempotent producer (acks -1, one request in flight) on the control topic: a change
 * is either on the topic once, in order, or the caller hears that it is not.
 */
export async function createKafkaControlPublisher(kafka: Kafka, topic: string = CONTROL_TOPIC): Promise<KafkaPublisher<ControlPublisher>> {
  const producer = await connectProducer(kafka);
  return {
    publisher: {
      async publish(changes) {
        if (changes.length === 0) return;
        await producer.send({ topic, acks: -1, messages: changes.map(encodeControlChange) });
      },
    },
    close: () => producer.disconnect(),
  };
}

/** An idempotent, ordered producer: what both control-plane publishers need. */
export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}
