import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer, TopicMessages } from "kafkajs";

import { isUnsendable } from "@flowzone/audit";
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES, PartitionedSender, readMaxMessageBytes } from "@flowzone/kafka";

import type { PolicyEngine } from "@flowzone/engine";
import type { FlowReporter } from "@flowzone/flow-report";
import type { Logger } from "@flowzone/logging";
import type { EnforcerMetrics } from "@flowzone/telemetry";

import type { RouteHealth, RouteState } from "./enforcer-health";
import { ENFORCER_DEFAULTS, type DeliveryGuarantee, type EnforcerStats } from "./options";
import {
  BATCH_HEADROOM_BYTES,
  degrade,
  planChunks,
  topicMessagesOf,
  topicsWritten,
  type ChunkLimits,
  type DecidedRecord,
  type RecordOutcome,
  type WriteTopics,
} from "./chunk-plan";
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
  /** Counts the flow of each committed record's write; undefined with reporting off. */
  readonly flows: FlowReporter | undefined;
  readonly logger: Logger;
  readonly onFatal: (error: unknown) => void;
}

const MAX_CHUNK_BYTES = ENFORCER_DEFAULTS.chunkMaxBytes;
const MAX_CHUNK_RECORDS = ENFORCER_DEFAULTS.chunkMaxRecords;
/** The reasons of a record written as decided: none, shared (a degraded record gets a list of its own). */
const NO_REASONS: readonly string[] = Object.freeze([]);

/** The offset after `offset` (decimal strings, as kafkajs gives offsets). */
function offsetAfter(offset: string): string {
  return (BigInt(offset) + 1n).toString();
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
  /** Every produce request of the route, split by partition. */
  private readonly sender: PartitionedSender;
  /** The one idempotent, non-transactional producer of an at-least-once route. */
  private plainProducer: Producer | undefined;
  /** `max.message.bytes` of the topics the route writes, as read at start and after a refusal. */
  private readonly maxMessageBytes = new Map<string, number>();
  private readonly groupId: string;
  private readonly log: Logger;
  private state: RouteState = "starting";
  private assigned: readonly number[] = [];

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
    this.sender = new PartitionedSender(kafka);
    this.producers = new PartitionProducers({
      kafka,
      transactionalIdBase: `${options.transactionalIdPrefix}-${route.name}-${route.from}`,
      transactionTimeoutMs: options.transactionTimeoutMs,
      logger: this.log,
    });
    this.plainProducer = options.deliveryGuarantee === "at-least-once" ? kafka.producer({ idempotent: true, maxInFlightRequests: 1 }) : undefined;
  }

  /** Where the consumer stands, for the probes. */
  health(): RouteHealth {
    return { route: this.options.route.name, state: this.state, partitions: this.assigned };
  }

  /** Joins the group and starts consuming; resolves once the consumer runs. */
  async start(): Promise<void> {
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (event) => {
      const assigned = event.payload.memberAssignment[this.options.route.from] ?? [];
      this.state = "consuming";
      this.assigned = assigned;
      this.log.info({ partitions: assigned }, "partitions assigned");
      this.producers.retain(assigned).catch((error: unknown) => {
        this.log.warn({ err: error }, "closing revoked producers failed");
      });
    });
    this.consumer.on(CRASH, (event) => {
      // Whatever happened while the consumer was down, each partition starts over with a fence.
      this.producers.closeAll().catch(() => undefined);
      this.state = event.payload.restart ? "restarting" : "stopped";
      if (event.payload.restart) {
        this.log.warn({ err: event.payload.error }, "consumer crashed; kafkajs restarts it");
      } else {
        this.log.error({ err: event.payload.error }, "consumer stopped for good");
        this.options.onFatal(event.payload.error);
      }
    });
    await this.admin.connect();
    await this.readLimits();
    this.log.info({ maxMessageBytes: Object.fromEntries(this.maxMessageBytes) }, "sizing sends under the topics' max.message.bytes");
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
    await this.sender.close();
    await this.admin.disconnect();
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    try {
      const engine = this.options.policy.current;
      const nowMs = Date.now();
      const decided = batch.messages.map((message) => this.decide(engine, topic, partition, message, nowMs));
      const chunks = planChunks(decided, this.writeTopics(), this.chunkLimits());
      if (await this.commitWhole(payload, chunks)) return;
      await this.commitChunkByChunk(payload, chunks);
    } catch (error) {
      this.options.stats.abortedBatches += 1;
      this.log.warn({ partition, err: error }, "batch aborted; it will be consumed again from the committed offset");
      await this.producers.reset(partition);
      throw new BatchFailedError(`route ${this.options.route.name} partition ${partition}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  /**
   * The whole fetched batch in one transaction (at least once: one offset commit after the acks),
   * a produce request per chunk. Answers false when Kafka refused records of it for themselves:
   * the transaction was aborted, and the batch is to be committed chunk by chunk, which narrows
   * the refusal down to its records (at least once, the chunks acknowledged before the refused
   * one are written again).
   */
  private async commitWhole(payload: EachBatchPayload, chunks: readonly DecidedRecord[][]): Promise<boolean> {
    const { batch } = payload;
    const commit = await this.committerOf(batch.partition, batch.firstOffset());
    // Undefined: the consumer was sought to where the partition's committed records end, to read
    // again from there. A batch gone stale while the producer was made ready is read again too.
    if (commit === undefined || !payload.isRunning() || payload.isStale()) return true;
    const lastOffset = batch.lastOffset();
    try {
      // The commit goes past the batch's end, which may be a transaction marker.
      await commit(
        chunks.map((chunk) => topicMessagesOf(chunk, this.options.auditTopic)),
        offsetAfter(lastOffset),
      );
    } catch (error) {
      if (!isUnsendable(error)) throw error;
      this.options.stats.abortedBatches += 1;
      this.log.warn({ partition: batch.partition, records: batch.messages.length, err: error }, "Kafka refused records of a batch for themselves (too large or invalid); committing it chunk by chunk");
      if (this.plainProducer === undefined) await this.producers.reset(batch.partition);
      else await this.replacePlainProducer();
      return false;
    }
    this.committed(payload, chunks.flat(), lastOffset);
    return true;
  }

  /** One transaction (or one offset commit) per chunk; a chunk Kafka refuses for its records is sent again in smaller parts. */
  private async commitChunkByChunk(payload: EachBatchPayload, chunks: readonly DecidedRecord[][]): Promise<void> {
    const { batch } = payload;
    const queue = [...chunks];
    // The group's committed offset as this worker left it: checked by a fresh producer.
    let committedAt: string | null = batch.firstOffset();
    while (queue.length > 0) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = queue.shift() ?? [];
      // The last chunk commits past the batch's end, which may be a transaction marker.
      const lastOffset = queue.length === 0 ? batch.lastOffset() : (chunk[chunk.length - 1]?.offset ?? batch.lastOffset());
      const nextOffset = offsetAfter(lastOffset);
      const commit = await this.committerOf(batch.partition, committedAt);
      // As in commitWhole: read again from where the consumer now stands.
      if (commit === undefined || !payload.isRunning() || payload.isStale()) return;
      try {
        await commit([topicMessagesOf(chunk, this.options.auditTopic)], nextOffset);
      } catch (error) {
        if (!isUnsendable(error)) throw error;
        // Kafka refused records themselves (too large, invalid): retrying would be refused forever.
        queue.unshift(...(await this.afterRefusal(batch.partition, chunk, error)));
        continue;
      }
      committedAt = nextOffset;
      this.committed(payload, chunk, lastOffset);
      await payload.heartbeat();
    }
  }

  /** Counts what one transaction (or offset commit) wrote, and resolves the batch up to `lastOffset`. */
  private committed(payload: EachBatchPayload, records: readonly DecidedRecord[], lastOffset: string): void {
    const { batch } = payload;
    const { route, stats, metrics } = this.options;
    const counts = this.countCommitted(batch.partition, records);
    stats.records += records.length;
    stats.forwarded += counts.forwarded;
    stats.quarantined += counts.quarantined;
    stats.audits += counts.audits;
    stats.oversized += counts.oversized;
    stats.batches += 1;
    for (const outcome of ["forwarded", "quarantined", "malformed", "observed"] as const) metrics.countRecords(outcome, counts.outcomes[outcome]);
    metrics.recordLag(route.name, batch.partition, batch.highWatermark, lastOffset);
    payload.resolveOffset(lastOffset);
  }

  /**
   * After Kafka refused a chunk's send for its records themselves (the transaction is aborted):
   * replaces the producer (a request that was partly appended left its sequence numbers out of
   * step), reads the topics' limits again, and returns what to send instead: the chunk planned
   * anew with those limits, or halved, or, for a single record, that record degraded one step.
   */
  private async afterRefusal(partition: number, chunk: readonly DecidedRecord[], error: unknown): Promise<DecidedRecord[][]> {
    this.options.stats.abortedBatches += 1;
    const first = chunk[0];
    this.log.warn(
      { partition, records: chunk.length, fromOffset: first?.offset, toOffset: chunk[chunk.length - 1]?.offset, err: error },
      "Kafka refused records of a chunk for themselves (too large or invalid); sending it again in smaller parts",
    );
    if (this.options.deliveryGuarantee === "exactly-once") await this.producers.reset(partition);
    else await this.replacePlainProducer();
    await this.readLimits();
    const replanned = planChunks(chunk, this.writeTopics(), this.chunkLimits());
    const refitted = replanned.flat();
    const changed = refitted.some((record, i) => record !== chunk[i]);
    if (changed || replanned.length > 1) return replanned;
    if (refitted.length > 1) {
      const half = Math.ceil(refitted.length / 2);
      return [refitted.slice(0, half), refitted.slice(half)];
    }
    const record = refitted[0];
    if (record === undefined) return [];
    const topics = topicsWritten(record, this.options.auditTopic).join(", ");
    const next = degrade(record, this.writeTopics(), `Kafka refused writing it to ${topics} (${error instanceof Error ? error.message : String(error)})`, "unknown");
    // Nothing left to take away: an offset commit alone is never refused for its records.
    if (next === undefined) throw error;
    return [[next]];
  }

  /** Counts committed records, and logs each one not written as decided. */
  private countCommitted(partition: number, records: readonly DecidedRecord[]): { forwarded: number; quarantined: number; audits: number; oversized: number; outcomes: Record<RecordOutcome, number> } {
    const { route } = this.options;
    const outcomes: Record<RecordOutcome, number> = { forwarded: 0, quarantined: 0, malformed: 0, observed: 0 };
    let forwarded = 0;
    let quarantined = 0;
    let audits = 0;
    let oversized = 0;
    for (const record of records) {
      outcomes[record.outcome] += 1;
      if (record.target !== undefined && record.target === route.to) forwarded += 1;
      else if (record.target !== undefined) quarantined += 1;
      audits += record.audits.length;
      // Counted once committed, so records sent again after an abort are not counted twice.
      if (record.write !== undefined) this.options.flows?.record(record.write);
      if (record.step > 0) {
        oversized += 1;
        this.logNotAsDecided(partition, record);
      }
    }
    return { forwarded, quarantined, audits, oversized, outcomes };
  }

  private logNotAsDecided(partition: number, record: DecidedRecord): void {
    const fields = { topic: this.options.route.from, partition, offset: record.offset, step: record.step, reason: record.reasons.join("; ") };
    const what = [
      "",
      "a record too large for its target (or refused by Kafka) went to quarantine, whole, with flowzone-error",
      "a record too large for quarantine too went there without its value, with flowzone-error; the input record keeps it",
      "a record too large went to quarantine as a bare stand-in (flowzone-error and flowzone-origin only); the input record keeps it",
      "the audit records of a record could not be written and were left out",
      "a record could be written nowhere, not even as a stand-in; only its input offset was committed",
    ][record.step];
    if (record.step === 1) this.log.warn(fields, what);
    else this.log.error(fields, what);
  }

  /**
   * How a chunk of `partition` is committed: exactly-once, through the partition's transactional
   * producer (undefined when a fresh producer found the group's committed offset elsewhere than
   * `expected`, where this worker's last commit left it, or the fetch starts below what the
   * producer has committed already, and it re-seeked); at-least-once, produce and wait for the
   * acks, then commit the offset.
   */
  private async committerOf(partition: number, expected: string | null): Promise<((sends: Iterable<readonly TopicMessages[]>, nextOffset: string) => Promise<void>) | undefined> {
    const topic = this.options.route.from;
    if (this.plainProducer !== undefined) {
      const producer = this.plainProducer;
      return async (sends, nextOffset) => {
        await sendInOrder(sends, (topicMessages) => this.sender.send(topicMessages, (part) => producer.sendBatch({ topicMessages: part, acks: -1 })));
        await this.consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
      };
    }
    const slot = await this.producers.acquire(partition);
    if (slot.fresh) {
      slot.fresh = false;
      const committed = await this.committedOffset(partition);
      if (committed !== undefined && committed !== expected) {
        // Another owner (or our own earlier producer) committed past, or short of, where this
        // fetch started: read again from exactly the committed offset.
        this.log.info({ partition, committed, fetched: expected }, "re-synchronising with the committed offset");
        this.consumer.seek({ topic, partition, offset: committed });
        return undefined;
      }
    } else if (slot.committedUpTo !== undefined && expected !== null && BigInt(expected) < BigInt(slot.committedUpTo)) {
      // Fetched from an offset read before this producer's last commit reached the group.
      this.log.info({ partition, committed: slot.committedUpTo, fetched: expected }, "skipping records this partition's producer has committed already");
      this.consumer.seek({ topic, partition, offset: slot.committedUpTo });
      return undefined;
    }
    return async (sends, nextOffset) => {
      await commitBatch(slot.producer, slot.requests, { sends, consumerGroupId: this.groupId, topic, partition, nextOffset }, this.sender);
      slot.committedUpTo = nextOffset;
    };
  }

  /** Decides one record (pure): its output, its audit records, how it counts. */
  private decide(engine: PolicyEngine, topic: string, partition: number, message: KafkaMessage, nowMs: number): DecidedRecord {
    const { route } = this.options;
    const routed = routeRecord(engine, route, { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers }, nowMs);
    let outcome: RecordOutcome;
    if (routed.error !== undefined) outcome = "malformed";
    else if (routed.topic === undefined) outcome = "observed";
    else if (routed.topic !== route.to) outcome = "quarantined";
    else outcome = "forwarded";
    if (routed.topic === undefined && routed.error !== undefined) {
      this.log.warn({ partition, offset: message.offset, reason: routed.error }, "observed a record that cannot be decided");
    }
    return {
      origin: `${topic}/${partition}/${message.offset}`,
      offset: message.offset,
      inputBytes: (message.value?.length ?? 0) + (message.key?.length ?? 0) + 256,
      target: routed.topic,
      message: routed.topic === undefined ? undefined : { key: routed.key, value: routed.value, headers: routed.headers },
      audits: routed.audits,
      outcome,
      step: 0,
      reasons: NO_REASONS,
      write: routed.write,
    };
  }

  private writeTopics(): WriteTopics {
    return { to: this.options.route.to, quarantine: this.options.route.quarantine, audit: this.options.auditTopic };
  }

  private chunkLimits(): ChunkLimits {
    return { capOf: (topic) => this.sendCapOf(topic), maxMessageBytesOf: (topic) => this.maxMessageBytesOf(topic), maxRecords: MAX_CHUNK_RECORDS, maxInputBytes: MAX_CHUNK_BYTES };
  }

  private maxMessageBytesOf(topic: string): number {
    return this.maxMessageBytes.get(topic) ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }

  private sendCapOf(topic: string): number {
    return Math.max(1, this.maxMessageBytesOf(topic) - BATCH_HEADROOM_BYTES);
  }

  /**
   * Reads `max.message.bytes` of the topics this route writes (the effective value: the topic's
   * own, else the broker's `message.max.bytes`). A topic whose config cannot be read (no
   * DescribeConfigs permission) keeps what was read before, else Kafka's default; a send the
   * broker refuses all the same is split on its answer.
   */
  private async readLimits(): Promise<void> {
    const topics = [...new Set([this.options.route.to, this.options.route.quarantine, this.options.auditTopic].filter((t): t is string => t !== undefined))];
    try {
      for (const [topic, limit] of await readMaxMessageBytes(this.admin, topics)) this.maxMessageBytes.set(topic, limit);
    } catch (error) {
      this.log.warn({ err: error, assumedMaxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES }, "cannot read max.message.bytes of the route's topics; sizing sends by what was read before, else Kafka's default");
    }
  }

  /** At-least-once: a new idempotent producer for the old one, whose sequence numbers a refused request left out of step. */
  private async replacePlainProducer(): Promise<void> {
    const old = this.plainProducer;
    const fresh = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    this.plainProducer = fresh;
    await old?.disconnect().catch(() => undefined);
  }

  /** The group's committed offset of a partition, read after fencing; undefined when none. */
  private async committedOffset(partition: number): Promise<string | undefined> {
    const topics = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.options.route.from] });
    const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === "-1" ? undefined : offset;
  }
}
