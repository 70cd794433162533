/**
 * The reference: a kafkajs pass-through pipe with the enforcer's consumer settings, chunking and
 * delivery guarantee, and no policy work. Exactly-once: one transactional producer per input
 * partition (fenced once with an empty transaction) and per chunk one transaction: send,
 * sendOffsets, commit. At-least-once: one idempotent producer; per chunk a send with acks from all
 * replicas, then the offset commit. Records keep key, value and headers. Exits when its stdin closes.
 *
 * Usage: node pipe-child.js '<ChildConfig json>'
 */
import { ENFORCER_DEFAULTS } from "@flowzone/enforcer";
import { createKafka } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import type { Consumer, Kafka, KafkaMessage, Producer } from "kafkajs";

import { parseChildConfig, reportProgress, type ChildConfig, type Lane } from "./child-protocol";

const counts = { records: 0, forwarded: 0, quarantined: 0, audits: 0, transactions: 0, aborted: 0 };

function chunk(messages: readonly KafkaMessage[]): KafkaMessage[][] {
  const chunks: KafkaMessage[][] = [];
  let current: KafkaMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + (message.key?.length ?? 0) + 256;
    if (current.length > 0 && (bytes + size > ENFORCER_DEFAULTS.chunkMaxBytes || current.length >= ENFORCER_DEFAULTS.chunkMaxRecords)) {
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

async function startLane(kafka: Kafka, config: ChildConfig, lane: Lane): Promise<{ consumer: Consumer; producers: Producer[] }> {
  const groupId = `bench-pipe-${config.runId}-${lane.name}`;
  const sessionTimeout = 10_000;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  const producers: Producer[] = [];
  const transactional = new Map<number, Promise<Producer>>();
  const producerOf = (partition: number): Promise<Producer> => {
    let p = transactional.get(partition);
    if (p === undefined) {
      const producer = kafka.producer({ transactionalId: `bench-pipe-${config.runId}-${lane.name}-${partition}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: ENFORCER_DEFAULTS.transactionTimeoutMs });
      producers.push(producer);
      p = (async () => {
        await producer.connect();
        await (await producer.transaction()).abort();
        return producer;
      })();
      transactional.set(partition, p);
      p.catch(() => transactional.delete(partition));
    }
    return p;
  };
  /**
   * Drops a partition's producer, as the enforcer does after an error and for partitions a
   * rebalance took away: another process's producer for it has fenced this one, and a fenced
   * producer fails every later transaction, so the partition starts over with a new one (which
   * fences in turn) if it comes back.
   */
  const drop = (partition: number): void => {
    const p = transactional.get(partition);
    transactional.delete(partition);
    void p?.then((producer) => producer.disconnect()).catch(() => undefined);
  };
  const plain = config.guarantee === "at-least-once" ? kafka.producer({ idempotent: true, maxInFlightRequests: 1 }) : undefined;
  if (plain !== undefined) {
    producers.push(plain);
    await plain.connect();
  }
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = new Set(event.payload.memberAssignment[lane.from] ?? []);
    for (const partition of [...transactional.keys()].filter((p) => !assigned.has(p))) drop(partition);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: lane.from, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: ENFORCER_DEFAULTS.partitionsConcurrently,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
      // The enforcer's design: one transaction (or offset commit) per chunk.
      const chunks = chunk(batch.messages);
      for (const [index, part] of chunks.entries()) {
        if (!payload.isRunning() || payload.isStale()) return;
        const lastOffset = index === chunks.length - 1 ? batch.lastOffset() : (part[part.length - 1]?.offset ?? batch.lastOffset());
        const nextOffset = (BigInt(lastOffset) + 1n).toString();
        const topicMessages = [{ topic: lane.to, messages: part.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }];
        if (plain !== undefined) {
          await plain.sendBatch({ topicMessages, acks: -1 });
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
        } else {
          const producer = await producerOf(batch.partition);
          const transaction = await producer.transaction();
          try {
            await transaction.sendBatch({ topicMessages, acks: -1 });
            await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }] });
            await transaction.commit();
          } catch (error) {
            counts.aborted += 1;
            await transaction.abort().catch(() => undefined);
            drop(batch.partition);
            throw error;
          }
        }
        counts.records += part.length;
        counts.forwarded += part.length;
        counts.transactions += 1;
        payload.resolveOffset(lastOffset);
        await payload.heartbeat();
      }
    },
  });
  return { consumer, producers };
}

async function main(): Promise<void> {
  const config = parseChildConfig(process.argv[2]);
  const logger = createLogger({ level: "warn", service: "flowzone-bench-pipe" });
  const kafka = createKafka({ brokers: config.brokers.split(","), clientId: "bench-pipe", logger });
  const lanes = await Promise.all(config.lanes.map((lane) => startLane(kafka, config, lane)));
  await reportProgress(() => ({ ...counts }));
  for (const lane of lanes) {
    await lane.consumer.disconnect();
    await Promise.all(lane.producers.map((p) => p.disconnect()));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
