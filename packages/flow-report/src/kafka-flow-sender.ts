import { PartitionedSender } from "@flowzone/kafka";
import type { Kafka, Producer } from "kafkajs";

import type { EncodedFlowReport } from "./flow-report-record";
import type { FlowSender } from "./flow-reporter";

/**
 * Retries of one send: few and short, so a send to an unreachable broker fails within seconds
 * and its window waits for the next tick (merged) rather than holding the reporter up.
 */
const SEND_RETRY = { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 } as const;

/**
 * Sends FlowReport records to the flows topic with an idempotent producer (acks from all in-sync
 * replicas), connected on first use so a decision point starts while Kafka is away. The topic is
 * never auto-created here: the decision point creates it compacted with `flowsTopicSpec`, and a
 * send to a missing topic fails and is kept for the next window.
 */
export class KafkaFlowSender implements FlowSender {
  private readonly producer: Producer;
  /** Partition by partition: a send spanning several leaders can lose records when a broker stops. */
  private readonly sender: PartitionedSender;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false, retry: SEND_RETRY });
    this.sender = new PartitionedSender(kafka);
  }

  async send(records: readonly EncodedFlowReport[]): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    const messages = records.map((record) => ({ key: record.key, value: record.value }));
    await this.sender.send([{ topic: this.topic, messages }], (topicMessages) => this.producer.sendBatch({ topicMessages, acks: -1 }));
  }

  async close(): Promise<void> {
    await this.sender.close().catch(() => undefined);
    await this.producer.disconnect();
  }
}
