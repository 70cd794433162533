import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer, TopicMessages } from "kafkajs";

import type { PolicyEngine } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";

import type { EnforcerStats } from "./options";
import { PartitionProducers } from "./partition-producers";
import type { PolicyHolder } from "./policy-holder";
import { routeRecord } from "./record-flow";
import { consumerGroupOf, type Route } from "./route";
import { commitBatch } from "./transaction-batch";

/** Settings of one {@link RouteWorker}, validated by the enforcer. */
export interface RouteWorkerOptions {
  readonly kafka: Kafka;
  readonly route: Route;
  readonly policy: PolicyHolder;
  readonly auditTopic: string;
  readonly sessionTimeoutMs: number;
  readonly transactionTimeoutMs: number;
  readonly partitionsConcurrently: number;
  readonly fromBeginning: boolean;
  readonly transactionalIdPrefix: string;
  readonly stats: EnforcerStats;
  readonly logger: Logger;
  readonly onFatal: (error: unknown) => void;
}

/**
 * Input bytes per transaction. kafkajs sends one produce request per partition and never splits
 * it, so a fetched batch (up to 1 MiB per partition) plus headers and audit records would exceed
 * the broker's 1 MiB `message.max.bytes`; chunks keep every request well under it.
 */
const MAX_CHUNK_BYTES = 256 * 1024;
const MAX_CHUNK_RECORDS = 2000;

/** Splits a fetched batch into chunks that each fit one transaction. */
export function chunkMessages(messages: readonly KafkaMessage[]): KafkaMessage[][] {
  const chunks: KafkaMessage[][] = [];
  let current: KafkaMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0) + 256;
    if (current.length > 0 && (bytes + size > MAX_CHUNK_BYTES || current.length >= MAX_CHUNK_RECORDS)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A batch that could not be committed; kafkajs retries it from the last committed offset. */
class BatchFailedError extends Error {
  override readonly name = "BatchFailedError";
}

/**
 * Runs one route: a consumer in group `flowzone-enforcer-<name>` (read_committed, no auto-commit)
 * whose every batch becomes one transaction of that partition's producer. Before a partition's
 * first batch, and after any failure, a new producer fences the previous owner and the consumer
 * re-seeks to the committed offset, so no batch is processed twice nor skipped across crashes,
 * rebalances and broker restarts.
 */
export class RouteWorker {
  private readonly consumer: Consumer;
  private readonly admin;
  private readonly producers: PartitionProducers;
  private readonly groupId: string;
  private readonly log: Logger;

  constructor(private readonly options: RouteWorkerOptions) {
    const { kafka, route } = options;
    this.groupId = consumerGroupOf(route);
    this.log = options.logger.child({ route: route.name });
    this.consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(options.sessionTimeoutMs / 10)),
      maxWaitTimeInMs: 500,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    this.admin = kafka.admin();
    this.producers = new PartitionProducers({
      kafka,
      transactionalIdBase: `${options.transactionalIdPrefix}-${route.name}-${route.from}`,
      transactionTimeoutMs: options.transactionTimeoutMs,
      logger: this.log,
    });
  }

  /** Joins the group and starts consuming; resolves once the consumer runs. */
  async start(): Promise<void> {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (event) => {
      const assigned = event.payload.memberAssignment[this.options.route.from] ?? [];
      this.log.info({ partitions: assigned }, "partitions assigned");
      this.producers.retain(assigned).catch((error: unknown) => {
        this.log.warn({ err: error }, "closing revoked producers failed");
      });
    });
    this.consumer.on(CRASH, (event) => {
      // Whatever happened while the consumer was down, each partition starts over with a fence.
      this.producers.closeAll().catch(() => undefined);
      if (event.payload.restart) {
        this.log.warn({ err: event.payload.error }, "consumer crashed; kafkajs restarts it");
      } else {
        this.log.error({ err: event.payload.error }, "consumer stopped for good");
        this.options.onFatal(event.payload.error);
      }
    });
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.route.from, fromBeginning: this.options.fromBeginning });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Finishes the batch in flight, leaves the group, closes producers. */
  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.producers.closeAll();
    await this.admin.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const { route, policy, stats } = this.options;
    try {
      const slot = await this.producers.acquire(partition);
      if (slot.fresh) {
        slot.fresh = false;
        const committed = await this.committedOffset(partition);
        if (committed !== undefined && committed !== batch.firstOffset()) {
          // Another owner (or our own earlier producer) committed past, or short of, where this
          // fetch started: read again from exactly the committed offset.
          this.log.info({ partition, committed, fetched: batch.firstOffset() }, "re-synchronising with the committed offset");
          this.consumer.seek({ topic, partition, offset: committed });
          return;
        }
      }
      const engine = policy.current;
      const chunks = chunkMessages(batch.messages);
      for (const [index, chunk] of chunks.entries()) {
        if (!payload.isRunning() || payload.isStale()) return;
        const last = index === chunks.length - 1;
        // The last chunk commits past the batch's end, which may be a transaction marker.
        const lastOffset = last ? batch.lastOffset() : (chunk[chunk.length - 1]?.offset ?? batch.lastOffset());
        await this.commitChunk(slot.producer, engine, topic, partition, chunk, lastOffset);
        payload.resolveOffset(lastOffset);
        await payload.heartbeat();
      }
    } catch (error) {
      stats.abortedBatches += 1;
      this.log.warn({ partition, err: error }, "batch aborted; it will be consumed again from the committed offset");
      await this.producers.reset(partition);
      throw new BatchFailedError(`route ${route.name} partition ${partition}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /** Decides a chunk of records and commits its outputs, audit records and offset in one transaction. */
  private async commitChunk(producer: Producer, engine: PolicyEngine, topic: string, partition: number, chunk: readonly KafkaMessage[], lastOffset: string): Promise<void> {
    const { route, auditTopic, stats } = this.options;
    const nowMs = Date.now();
    const outputs = new Map<string, Message[]>();
    const push = (target: string, message: Message): void => {
      const list = outputs.get(target);
      if (list === undefined) outputs.set(target, [message]);
      else list.push(message);
    };
    let forwarded = 0;
    let quarantined = 0;
    let audits = 0;
    for (const message of chunk) {
      const routed = routeRecord(engine, route, { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers }, nowMs);
      if (routed.topic !== undefined) {
        push(routed.topic, { key: routed.key, value: routed.value, headers: routed.headers });
        if (routed.topic === route.to) forwarded += 1;
        else quarantined += 1;
      } else if (routed.error !== undefined) {
        this.log.warn({ partition, offset: message.offset, reason: routed.error }, "observed a record that cannot be decided");
      }
      for (const audit of routed.audits) push(auditTopic, { key: audit.key, value: audit.value });
      audits += routed.audits.length;
    }
    const topicMessages: TopicMessages[] = [...outputs].map(([target, messages]) => ({ topic: target, messages }));
    await commitBatch(producer, { topicMessages, consumerGroupId: this.groupId, topic, partition, nextOffset: (BigInt(lastOffset) + 1n).toString() });
    stats.records += chunk.length;
    stats.forwarded += forwarded;
    stats.quarantined += quarantined;
    stats.audits += audits;
    stats.batches += 1;
  }

  /** The group's committed offset of a partition, read after fencing; undefined when none. */
  private async committedOffset(partition: number): Promise<string | undefined> {
    const topics = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.options.route.from] });
    const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === "-1" ? undefined : offset;
  }
}
