import type { Kafka, Producer } from "kafkajs";

import { ProduceRequests } from "@flowzone/kafka";
import type { Logger } from "@flowzone/logging";

/**
 * A partition's transactional producer, with its Produce answers watched (a transaction's sends
 * need them, see PartitionedSender); `fresh` until its first batch has re-synchronised the offset.
 */
export interface PartitionProducer {
  readonly producer: Producer;
  readonly requests: ProduceRequests;
  fresh: boolean;
  /**
   * The offset this producer's last committed transaction moved the group to. Kafka answers a
   * commit before the offsets are readable (the markers follow), so a rebalance right after it may
   * hand the partition back from the offset before; records below this one are in already.
   */
  committedUpTo?: string;
}

/** Settings of {@link PartitionProducers}. */
export interface PartitionProducersOptions {
  readonly kafka: Kafka;
  /** Stable and unique per route and input partition, e.g. `flowzone-enforcer-<route>-<from>`. */
  readonly transactionalIdBase: string;
  readonly transactionTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * How a partition's transactional producer retries. A transaction that starts right after the
 * previous one committed is often told CONCURRENT_TRANSACTIONS while the coordinator still
 * writes the commit markers, for a few milliseconds; kafkajs retries the whole send after its
 * default 300 ms, doubling, which held three enforcers on the three-node cluster to a third of
 * their throughput (bench:enforcer -- --cluster). Retries start after 25 ms instead, as Kafka's
 * Java producer does for this error, still doubling to kafkajs's 30 s; never limited in number,
 * as an idempotent producer needs.
 */
export const TRANSACTION_RETRY = { initialRetryTime: 25, retries: Number.MAX_SAFE_INTEGER };

/**
 * One transactional producer per input partition, with a transactional id fixed by route and
 * partition (`<base>-<partition>`), never by process. kafkajs 2.2.4 cannot attach the consumer
 * group's generation to `sendOffsets` (no KIP-447), so fencing must come from the transactional
 * id itself, as in Kafka Streams' original exactly-once: whoever owns a partition next initialises
 * the same id, which bumps its epoch, aborts (or completes) the previous owner's open transaction
 * and makes any later commit of that zombie fail.
 */
export class PartitionProducers {
  private readonly slots = new Map<number, Promise<PartitionProducer>>();

  constructor(private readonly options: PartitionProducersOptions) {}

  /** The transactional id of a partition. */
  transactionalIdOf(partition: number): string {
    return `${this.options.transactionalIdBase}-${partition}`;
  }

  /**
   * The partition's producer, created on first use. A new producer has already fenced every older
   * holder of its transactional id when this resolves (it opened and aborted an empty transaction,
   * which makes the coordinator finish the previous epoch's transaction first).
   */
  acquire(partition: number): Promise<PartitionProducer> {
    let slot = this.slots.get(partition);
    if (slot === undefined) {
      slot = this.create(partition);
      this.slots.set(partition, slot);
      slot.catch(() => this.slots.delete(partition));
    }
    return slot;
  }

  /** Drops a partition's producer after an error; the next batch starts over with a new one. */
  async reset(partition: number): Promise<void> {
    const slot = this.slots.get(partition);
    this.slots.delete(partition);
    if (slot !== undefined) await this.dispose(partition, slot);
  }

  /** Closes the producers of partitions this member no longer owns (after a rebalance). */
  async retain(assigned: readonly number[]): Promise<void> {
    const keep = new Set(assigned);
    await Promise.all([...this.slots.keys()].filter((p) => !keep.has(p)).map((p) => this.reset(p)));
  }

  /** Closes every producer. */
  async closeAll(): Promise<void> {
    await this.retain([]);
  }

  private async create(partition: number): Promise<PartitionProducer> {
    const producer = this.options.kafka.producer({
      transactionalId: this.transactionalIdOf(partition),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs,
      retry: TRANSACTION_RETRY,
    });
    try {
      await producer.connect();
      const fence = await producer.transaction();
      await fence.abort();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    return { producer, requests: new ProduceRequests(producer), fresh: true };
  }

  private async dispose(partition: number, slot: Promise<PartitionProducer>): Promise<void> {
    try {
      await (await slot).producer.disconnect();
    } catch (error) {
      this.options.logger.debug({ partition, err: error }, "closing a partition producer failed");
    }
  }
}
