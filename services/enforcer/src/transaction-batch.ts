import type { Producer, TopicMessages } from "kafkajs";

/** Everything one consumed batch produces, committed together or not at all. */
export interface BatchCommit {
  /** Outputs, quarantined records and audit records, grouped by topic. */
  readonly topicMessages: readonly TopicMessages[];
  readonly consumerGroupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (last processed + 1). */
  readonly nextOffset: string;
}

/**
 * Writes a batch's records and its consumed offset in one Kafka transaction: read_committed
 * readers see all of it or none of it, and the offset moves only with the records it produced.
 * On any error the transaction is aborted (best effort: a fenced or disconnected producer cannot
 * abort, and the coordinator aborts for it) and the error is rethrown, so the batch is consumed
 * again from the last committed offset.
 */
export async function commitBatch(producer: Producer, batch: BatchCommit): Promise<void> {
  const transaction = await producer.transaction();
  try {
    if (batch.topicMessages.length > 0) await transaction.sendBatch({ topicMessages: [...batch.topicMessages], acks: -1 });
    await transaction.sendOffsets({
      consumerGroupId: batch.consumerGroupId,
      topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: batch.nextOffset }] }],
    });
    await transaction.commit();
  } catch (error) {
    try {
      await transaction.abort();
    } catch {
      // Nothing more to do here: the caller replaces the producer, which fences this transaction.
    }
    throw error;
  }
}
