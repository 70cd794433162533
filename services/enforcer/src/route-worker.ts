import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer, TopicMessages } from "kafkajs";

import type { PolicyEngine } from "@flowzone/engine";
import type { Logger } from "@flowzone/logging";
import type { EnforcerMetrics } from "@flowzone/telemetry";

import { ENFORCER_DEFAULTS, type DeliveryGuarantee, type EnforcerStats } from "./options";
import { PartitionProducers } from "./partition-producers";
import type { PolicyHolder } from "@flowzone/policy-runtime";
import { routeRecord } from "./record-flow";
import { consumerGroupOf, type Route } from "./route";
import { commitBatch, sendInOrder } from "./transaction-batch";

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
  readonly deliveryGuarantee: DeliveryGuarantee;
  readonly stats: EnforcerStats;
  readonly metrics: EnforcerMetrics;
  readonly logger: Logger;
  readonly onFatal: (error: unknown) => void;
}

const MAX_CHUNK_BYTES = ENFORCER_DEFAULTS.chunkMaxBytes;
const MAX_CHUNK_RECORDS = ENFORCER_DEFAULTS.chunkMaxRecords;

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

/** A decided chunk: what to produce, and how many records went where. */
interface DecidedChunk {
  readonly topicMessages: TopicMessages[];
  readonly forwarded: number;
  readonly quarantined: number;
  /** Records by metric outcome: quarantined for a policy denial, undecidable (quarantined with `flowzone-error`, or only logged), decided but written nowhere (observe-only). */
  readonly denied: number;
  readonly malformed: number;
  readonly observed: number;
  readonly audits: number;
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
  /** The one idempotent, non-transactional producer of an at-least-once route. */
  private readonly plainProducer: Producer | undefined;
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
    this.plainProducer = options.deliveryGuarantee === "at-least-once" ? kafka.producer({ idempotent: true, maxInFlightRequests: 1 }) : undefined;
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
    await this.plainProducer?.connect();
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
    await this.plainProducer?.disconnect();
    await this.admin.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const { route, policy, stats, metrics } = this.options;
    try {
      const commit = await this.committerOf(partition, batch.firstOffset());
      if (commit === undefined) {
        // A fresh producer re-synchronised with the committed offset: read again from there.
        return;
      }
      const engine = policy.current;
      // One transaction (or one offset commit) per chunk. (One per fetched batch, with a produce
      // request per chunk inside it, was 3× faster in bench:enforcer but let the SIGKILL fault test
      // read duplicate audit records; kept per chunk until that is understood.)
      const chunks = chunkMessages(batch.messages);
      for (const [index, chunk] of chunks.entries()) {
        if (!payload.isRunning() || payload.isStale()) return;
        const last = index === chunks.length - 1;
        // The last chunk commits past the batch's end, which may be a transaction marker.
        const lastOffset = last ? batch.lastOffset() : (chunk[chunk.length - 1]?.offset ?? batch.lastOffset());
        const decided = this.decideChunk(engine, topic, partition, chunk);
        await commit([decided.topicMessages], (BigInt(lastOffset) + 1n).toString());
        stats.records += chunk.length;
        stats.forwarded += decided.forwarded;
        stats.quarantined += decided.quarantined;
        stats.audits += decided.audits;
        stats.batches += 1;
        metrics.countRecords("forwarded", decided.forwarded);
        metrics.countRecords("quarantined", decided.denied);
        metrics.countRecords("malformed", decided.malformed);
        metrics.countRecords("observed", decided.observed);
        metrics.recordLag(route.name, partition, batch.highWatermark, lastOffset);
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

  /**
   * How a chunk of `partition` is committed: exactly-once, through the partition's transactional
   * producer (undefined when a fresh producer found the fetch out of step with the committed
   * offset and re-seeked); at-least-once, produce and wait for the acks, then commit the offset.
   */
  private async committerOf(partition: number, fetched: string | null): Promise<((sends: Iterable<readonly TopicMessages[]>, nextOffset: string) => Promise<void>) | undefined> {
    const topic = this.options.route.from;
    if (this.plainProducer !== undefined) {
      const producer = this.plainProducer;
      return async (sends, nextOffset) => {
        await sendInOrder(sends, (topicMessages) => producer.sendBatch({ topicMessages, acks: -1 }));
        await this.consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
      };
    }
    const slot = await this.producers.acquire(partition);
    if (slot.fresh) {
      slot.fresh = false;
      const committed = await this.committedOffset(partition);
      if (committed !== undefined && committed !== fetched) {
        // Another owner (or our own earlier producer) committed past, or short of, where this
        // fetch started: read again from exactly the committed offset.
        this.log.info({ partition, committed, fetched }, "re-synchronising with the committed offset");
        this.consumer.seek({ topic, partition, offset: committed });
        return undefined;
      }
    }
    return (sends, nextOffset) => commitBatch(slot.producer, { sends, consumerGroupId: this.groupId, topic, partition, nextOffset });
  }

  /** Decides a chunk of records (pure): its outputs, quarantined records and audit records by topic. */
  private decideChunk(engine: PolicyEngine, topic: string, partition: number, chunk: readonly KafkaMessage[]): DecidedChunk {
    const { route, auditTopic } = this.options;
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
    let denied = 0;
    let malformed = 0;
    let observed = 0;
    for (const message of chunk) {
      const routed = routeRecord(engine, route, { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers }, nowMs);
      if (routed.error !== undefined) malformed += 1;
      else if (routed.topic === undefined) observed += 1;
      else if (routed.topic !== route.to) denied += 1;
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
    return { topicMessages, forwarded, quarantined, denied, malformed, observed, audits };
  }

  /** The group's committed offset of a partition, read after fencing; undefined when none. */
  private async committedOffset(partition: number): Promise<string | undefined> {
    const topics = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.options.route.from] });
    const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === "-1" ? undefined : offset;
  }
}
