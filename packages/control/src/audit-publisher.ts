import { AUDIT_TOPIC } from "@flowzone/kafka";
import type { Kafka } from "kafkajs";

import { connectProducer, type KafkaPublisher } from "./control-publisher";
import { encodeControlAudit, type ControlAuditEvent } from "./convert-audit";

/** When and under which policy version the audited change happened. */
export interface AuditContext {
  readonly timeMs: number;
  /** `<bundle digest>@<control epoch>`. */
  readonly policyVersion: string;
}

/** Where the control plane's own changes are audited (the audit topic, key = zone). */
export interface AuditPublisher {
  /** Resolves once every record is acknowledged; a change whose audit fails is not made. */
  publish(events: readonly ControlAuditEvent[], context: AuditContext): Promise<void>;
}

/** An idempotent producer (acks -1) on the audit topic. */
export async function createKafkaAuditPublisher(kafka: Kafka, topic: string = AUDIT_TOPIC): Promise<KafkaPublisher<AuditPublisher>> {
  const producer = await connectProducer(kafka);
  return {
    publisher: {
      async publish(events, context) {
        if (events.length === 0) return;
        const messages = events.map((event) => encodeControlAudit(event, context.timeMs, context.policyVersion));
        await producer.send({ topic, acks: -1, messages });
      },
    },
    close: () => producer.disconnect(),
  };
}
