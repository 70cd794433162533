import type { Producer, TopicMessages } from "kafkajs";

import type { PartitionedSender, ProduceRequests } from "@flowzone/kafka";

/**
 * Everything one consumed batch produces, committed together or not at all. `sends` yields one
 * produce request's records at a time (a fetched batch is decided chunk by chunk, each chunk small
 * enough for one request); it is iterated lazily, so the next chunk is decided while the previous
 * one is on the wire.
 */
export interface BatchCommit {
  /** Outputs, quarantined records and audit records, grouped by topic, one produce request per item. */
  readonly sends: Iterable<readonly TopicMessages[]>;
  readonly consumerGroupId: string;
  readonly topic: string;
  readonly partition: number;
  /** The next offset to consume (last processed + 1). */
  readonly nextOffset: string;
}

/**
 * Sends every item of `sends` one after the other, deciding (iterating) the next item while the
 * previous request is in flight; resolves once every request was acknowledged.
 */
export async function sendInOrder(sends: Iterable<readonly TopicMessages[]>, send: (topicMessages: TopicMessages[]) => Promise<unknown>): Promise<void> {
  let previous: Promise<unknown> = Promise.resolve();
  for (const topicMessages of sends) {
    await previous;
    if (topicMessages.length > 0) {
      previous = send([...topicMessages]);
      // Handled by the await above or below; this only keeps a rejection from being reported twice.
      previous.catch(() => undefined);
    }
  }
  await previous;
}

/**
 * Writes a batch's records and its consumed offset in one Kafka transaction: read_committed
 * readers see all of it or none of it, and the offset moves only with the records it produced.
 * On any error the transaction is aborted (best effort: a fenced or disconnected producer cannot
 * abort, and the coordinator aborts for it) and the error is rethrown, so the batch is consumed
 * again from the last committed offset. Each produce request goes out leader by leader through
 * `sender`, which fails it when kafkajs may have written a record twice (`requests` are the
 * producer's; {@link PartitionedSender} says which records kafkajs loses or duplicates otherwise).
 */
export async function commitBatch(producer: Producer, requests: ProduceRequests, batch: BatchCommit, sender: PartitionedSender): Promise<void> {
  const transaction = await producer.transaction();
  try {
    await sendInOrder(batch.sends, (topicMessages) => sender.send(topicMessages, (part) => transaction.sendBatch({ topicMessages: part, acks: -1 }), requests));
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
