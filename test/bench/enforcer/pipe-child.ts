/**
 * The reference: a kafkajs pass-through pipe with the enforcer's consumer settings, chunking and
 * delivery guarantee, and no policy work. Exactly-once: one transactional producer per input
 * partition (fenced once with an empty transaction) and per fetched batch one transaction: a send
 * per chunk, sendOffsets, commit. At-least-once: one idempotent producer; per fetched batch a send
 * per chunk with acks from all replicas, then the offset commit. Exits when its stdin closes.
 *
 * What it writes (`writes` of the config): a copy of each record (key, value and headers), or
 * what the enforcer writes for it, taken from its `flowzone-labels` as the workload defines them:
 * the record to `to` or quarantine with the enforcer's headers, and the audit records of its
 * violations, all in the chunk's one send. That mode tells the Kafka work the contract demands
 * from the enforcer's own.
 *
 * Usage: node pipe-child.js '<ChildConfig json>'
 */
import { PolicyEngine, parseBundle } from "@flowzone/engine";
import { ENFORCER_DEFAULTS, ENFORCER_HEADERS, TRANSACTION_RETRY, routeRecord } from "@flowzone/enforcer";
import { createKafka, FLOW_HEADERS } from "@flowzone/kafka";
import { createLogger } from "@flowzone/logging";
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message, Producer, TopicMessages } from "kafkajs";

import { parseChildConfig, reportProgress, routeOf, type ChildConfig, type Lane } from "./child-protocol";
import { bundleYaml, labelOf } from "./workload";

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

/** What one chunk writes, and how its records count. */
interface ChunkWrites {
  readonly topicMessages: TopicMessages[];
  readonly forwarded: number;
  readonly quarantined: number;
  readonly audits: number;
}

/** Turns a chunk of one input partition into its writes. */
type Writer = (part: readonly KafkaMessage[], topic: string, partition: number) => ChunkWrites;

function copyWriter(lane: Lane): Writer {
  return (part) => ({
    topicMessages: [{ topic: lane.to, messages: part.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) }],
    forwarded: part.length,
    quarantined: 0,
    audits: 0,
  });
}

/** What the enforcer writes for every record of one label, but for its per-record headers. */
interface Outcome {
  readonly quarantined: boolean;
  /** The flowzone headers the enforcer sets to the same value on every record of the label. */
  readonly headers: IHeaders;
  readonly audits: readonly Message[];
}

/**
 * Writes what the enforcer writes, deciding nothing per record: the enforcer's own `routeRecord`
 * decides one sample record of each workload label once, here, and every record then gets its
 * label's outcome, so the shapes cannot drift from the enforcer's. The sample's audit records are
 * reused as encoded (the enforcer's differ in decision id, position and time, in size by the
 * offset's digits at most); the decision id and origin headers are built per record as
 * record-flow.ts builds them.
 */
function enforcerWriter(config: ChildConfig, lane: Lane): Writer {
  const outcomes = labelOutcomes(config, lane);
  const route = routeOf(config, lane);
  return (part, topic, partition) => {
    const forwarded: Message[] = [];
    const quarantined: Message[] = [];
    const audits: Message[] = [];
    for (const m of part) {
      const label = m.headers?.[FLOW_HEADERS.labels]?.toString();
      const outcome = label === undefined ? undefined : outcomes.get(label);
      if (outcome === undefined) throw new Error(`record ${topic}/${partition}/${m.offset}: no workload label in ${FLOW_HEADERS.labels}`);
      const headers: IHeaders = { ...m.headers, ...outcome.headers, [FLOW_HEADERS.decision]: `${route.name}:${partition}:${m.offset}` };
      if (outcome.quarantined) headers[ENFORCER_HEADERS.origin] = `${topic}/${partition}/${m.offset}`;
      (outcome.quarantined ? quarantined : forwarded).push({ key: m.key, value: m.value, headers });
      audits.push(...outcome.audits);
    }
    const topicMessages = [
      { topic: lane.to, messages: forwarded },
      { topic: lane.quarantine, messages: quarantined },
      { topic: config.auditTopic, messages: audits },
    ].filter((t) => t.messages.length > 0);
    return { topicMessages, forwarded: forwarded.length, quarantined: quarantined.length, audits: audits.length };
  };
}

/**
 * Where the sample records sit: the audit records' size depends on it (the offset's digits, and
 * partition 0 is a proto3 default, left out), so a partition other than 0 and a five-digit offset,
 * as most input records of a default run.
 */
const SAMPLE_PARTITION = 1;
const SAMPLE_OFFSET = "10000";

/** Headers whose values the enforcer builds from the record's position. */
const PER_RECORD_HEADERS: ReadonlySet<string> = new Set([FLOW_HEADERS.decision, ENFORCER_HEADERS.origin]);

/** Each workload label's outcome, as the enforcer decides a sample record of the label. */
function labelOutcomes(config: ChildConfig, lane: Lane): Map<string, Outcome> {
  const parsed = parseBundle([{ path: "bundle.yaml", content: bundleYaml() }]);
  if (!parsed.ok) throw new Error(`the workload's bundle: ${JSON.stringify(parsed.errors)}`);
  const engine = PolicyEngine.compile(parsed.bundle);
  const route = routeOf(config, lane);
  const outcomes = new Map<string, Outcome>();
  for (let k = 0; k < 100; k++) {
    const label = labelOf(k);
    if (outcomes.has(label)) continue;
    const sample = { topic: lane.from, partition: SAMPLE_PARTITION, offset: SAMPLE_OFFSET, key: null, value: Buffer.from("{}"), headers: { [FLOW_HEADERS.labels]: label } };
    const routed = routeRecord(engine, route, sample, Date.now());
    if (routed.error !== undefined) throw new Error(`the enforcer cannot decide a ${label} record: ${routed.error}`);
    const headers = Object.fromEntries(Object.entries(routed.headers).filter(([name]) => !PER_RECORD_HEADERS.has(name)));
    outcomes.set(label, { quarantined: routed.denied, headers, audits: routed.audits.map((a) => ({ key: a.key, value: a.value })) });
  }
  return outcomes;
}

async function startLane(kafka: Kafka, config: ChildConfig, lane: Lane): Promise<{ consumer: Consumer; producers: Producer[] }> {
  const groupId = `bench-pipe-${config.runId}-${lane.name}`;
  const writesOf = config.writes === "enforcer" ? enforcerWriter(config, lane) : copyWriter(lane);
  const sessionTimeout = 10_000;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout, heartbeatInterval: 1000, maxWaitTimeInMs: 500 });
  const producers: Producer[] = [];
  const transactional = new Map<number, Promise<Producer>>();
  const producerOf = (partition: number): Promise<Producer> => {
    let p = transactional.get(partition);
    if (p === undefined) {
      const producer = kafka.producer({ transactionalId: `bench-pipe-${config.runId}-${lane.name}-${partition}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: ENFORCER_DEFAULTS.transactionTimeoutMs, retry: TRANSACTION_RETRY });
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
      // The enforcer's design: a send per chunk, one transaction (or offset commit) per batch.
      await commitWhole(payload, chunk(batch.messages));
    },
  });
  return { consumer, producers };

  async function commitWhole(payload: EachBatchPayload, chunks: readonly KafkaMessage[][]): Promise<void> {
    const { batch } = payload;
    const written = { forwarded: 0, quarantined: 0, audits: 0 };
    const sendAll = async (send: (topicMessages: TopicMessages[]) => Promise<unknown>): Promise<void> => {
      for (const part of chunks) {
        const { topicMessages, ...counted } = writesOf(part, batch.topic, batch.partition);
        await send(topicMessages);
        written.forwarded += counted.forwarded;
        written.quarantined += counted.quarantined;
        written.audits += counted.audits;
      }
    };
    const nextOffset = (BigInt(batch.lastOffset()) + 1n).toString();
    if (plain !== undefined) {
      await sendAll((topicMessages) => plain.sendBatch({ topicMessages, acks: -1 }));
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
    } else {
      const producer = await producerOf(batch.partition);
      const transaction = await producer.transaction();
      try {
        await sendAll((topicMessages) => transaction.sendBatch({ topicMessages, acks: -1 }));
        await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }] });
        await transaction.commit();
      } catch (error) {
        counts.aborted += 1;
        await transaction.abort().catch(() => undefined);
        drop(batch.partition);
        throw error;
      }
    }
    counts.records += batch.messages.length;
    counts.forwarded += written.forwarded;
    counts.quarantined += written.quarantined;
    counts.audits += written.audits;
    counts.transactions += 1;
    payload.resolveOffset(batch.lastOffset());
  }
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
